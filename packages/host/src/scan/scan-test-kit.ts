/** What the scan tests of large files share (past-scan.test.ts, past-scan-redteam.test.ts): not a test itself. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createScanner, type FileResult } from './scanner.js';
import { createTimedScanner } from './timed.js';

export const MIB = 1024 * 1024;

export const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');

/** `n` bytes of a seeded xorshift stream: picture data, without a picture's structure. */
export function xorshiftBytes(n: number, seed = 2463534242): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

/** `data` written as `name` in `dir`, scanned with a 1 MiB bound in this process and through the timed scanner's child. */
export async function scanBoth(dir: string, name: string, data: Buffer): Promise<FileResult[]> {
  const f = join(dir, name);
  writeFileSync(f, data);
  const here = createScanner({ maxFileBytes: MIB }).scanFile(f);
  const timed = createTimedScanner({ fileTimeoutMs: 20_000, maxFileBytes: MIB, inProcessBytes: 1000 });
  try {
    return [here, await timed.scanFile(f)];
  } finally {
    timed.close();
  }
}

/** PHP 7.4's CLI (MAMORI_PHP74, or where scripts/fetch-php74.sh puts it), when it runs here; the reason printed when not. */
export function php74(): string | undefined {
  const bin = [process.env.MAMORI_PHP74, '/var/cache/mamori-ci/php74/php7.4'].find((p) => p && existsSync(p));
  if (bin !== undefined && spawnSync(bin, ['-v'], { encoding: 'utf8' }).status === 0) return bin;
  console.log('# PHP 7.4 not found (MAMORI_PHP74, scripts/fetch-php74.sh): the samples are scanned but not run by PHP 7.4');
  return undefined;
}

/** What `php` prints when it includes `bytes` (written as `name` in `dir`) with the request's c set to run `echo mark` (short tags on, PHP's built-in default). */
export function runPhpWithC(php: string, dir: string, name: string, bytes: Buffer, mark: string): string {
  const f = join(dir, name);
  writeFileSync(f, bytes);
  const boot = `$_GET["c"] = $_POST["c"] = "echo ${mark}"; include $argv[1];`;
  return spawnSync(php, ['-d', 'short_open_tag=1', '-d', 'display_errors=stderr', '-r', boot, f], { encoding: 'latin1', timeout: 20_000, maxBuffer: 64 * 1024 * 1024 }).stdout;
}

/** Whether a JDK is here (the JSP samples' Java is compiled and run where it is). */
export function hasJavac(): boolean {
  const ok = spawnSync('javac', ['-version'], { encoding: 'utf8' }).status === 0;
  if (!ok) console.log('# javac not found: the JSP samples are scanned but not compiled');
  return ok;
}

/** Compiles and runs a JSP scriptlet's Java in a class of its own, `request` a stub whose parameters are the harmless command `true`; what it prints (exec-ran at its end), or throws with javac's errors. */
export function runJavaScriptlet(dir: string, scriptlet: string): string {
  const d = mkdtempSync(join(dir, 'j-'));
  const src = `public class T {
  static class Req { String getParameter(String n) { return "true"; } String[] getParameterValues(String n) { return new String[] { "true" }; } String getHeader(String n) { return "true"; } }
  public static void main(String[] args) throws Exception {
    Req request = new Req();
    ${scriptlet}
    System.out.println("exec-ran");
  }
}
`;
  writeFileSync(join(d, 'T.java'), src);
  const c = spawnSync('javac', ['T.java'], { cwd: d, encoding: 'utf8', timeout: 120_000 });
  if (c.status !== 0) throw new Error(`javac: ${c.stderr}`);
  return spawnSync('java', ['-cp', d, 'T'], { encoding: 'utf8', timeout: 60_000 }).stdout;
}

/**
 * A long, legitimate-looking PHP file of our own: classes with methods, doc comments, regexes
 * with "^" and "${", heredocs, a form handler that escapes what it prints, arrays of settings.
 */
export function longFile(kib: number): string {
  const parts = ['<?php\n/**\n * Shop helpers.\n */\nnamespace Shop\\Util;\n\n'];
  for (let i = 0; parts.join('').length < kib * 1024; i++) {
    parts.push(`/**
 * Formats price ${i} for display.
 *
 * @param float $amount the amount
 * @return string
 */
function format_price_${i}($amount, $currency = 'JPY') {
    $symbols = ['JPY' => '¥', 'USD' => '$', 'EUR' => '€'];
    if (!preg_match('/^[A-Z]{3}$/', $currency)) {
        $currency = 'JPY';
    }
    $text = number_format((float) $amount, $currency === 'JPY' ? 0 : 2);
    return "{$symbols[$currency]}{$text}";
}

class Cart_${i} {
    private $items = [];
    private $label = <<<EOT
Cart number ${i}
EOT;
    public function add($sku, $qty = 1) {
        $sku = preg_replace('/[^A-Za-z0-9_-]/', '', (string) $sku);
        $this->items[$sku] = ($this->items[$sku] ?? 0) + max(1, (int) $qty);
        return $this;
    }
    public function total(array $prices) {
        $sum = 0;
        foreach ($this->items as $sku => $qty) {
            $sum += ($prices[$sku] ?? 0) * $qty;
        }
        return $sum;
    }
}

`);
    if (i % 5 === 0) parts.push(`if (isset($_GET['sku_${i}'])) {\n    echo htmlspecialchars((string) $_GET['sku_${i}'], ENT_QUOTES, 'UTF-8');\n}\n\n`);
  }
  return parts.join('');
}
