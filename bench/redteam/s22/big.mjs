import { both } from './harness.mjs';
import { phpExcerpts } from '/work/wt-rt22/packages/host/dist/scan/php-excerpts.js';
for (const mib of [4, 16]) {
  const M = mib * (1 << 20) - 64;
  for (const [name, unit] of [['dense', '$x($_GET[1]);\n'], ['tiny', ';'], ['nested', 'if($a){if($b){$x($_GET[1]);}}\n'], ['comment pts', '//eval( $_GET\n']]) {
    const text = '<?php $_GET[1];' + unit.repeat(Math.floor(M / unit.length));
    let t = performance.now(); const ex = phpExcerpts(text, 32768); const te = performance.now() - t;
    const r = both(text);
    console.log(`${mib}MiB ${name.padEnd(12)} excerpts=${ex.length} cut=${te|0}ms base=${r.base} cur=${r.cur} ${r.tb}ms/${r.tc}ms`);
  }
}
