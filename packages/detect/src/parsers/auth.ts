/**
 * auth.log and the journal: sshd's messages and PAM's (pam_unix and the like, from sshd,
 * sudo, su, login...). The syslog prefix is syslog.ts's; the messages are the `sshd` and
 * `pam` formats of the pattern file (patterns.ts).
 *
 * Datasets: `sshd` for sshd's own messages, `pam` for a PAM module's (`pam_unix(sshd:auth):
 * authentication failure; ... rhost=... user=...`, and the old `sshd(pam_unix)[pid]:` tag).
 * A line from any other program, or an sshd message no rule knows, is null, and so is a
 * journal line whose sender journald did not record as uid 0.
 */
import type { LineParser, LogEvent, RawLine } from '../model.js';
import type { CompiledRule } from './grok.js';
import { runRules } from './grok.js';
import { makeEvent, type Fields } from './fields.js';
import { parseSyslogPrefix } from './syslog.js';
import type { TimeZoneMode } from './time.js';

export class AuthLogParser implements LineParser {
  readonly name = 'sshd';
  readonly #sshd: readonly CompiledRule[];
  readonly #pam: readonly CompiledRule[];
  readonly #zone: TimeZoneMode;
  constructor(sshd: readonly CompiledRule[], pam: readonly CompiledRule[], zone: TimeZoneMode) {
    this.#sshd = sshd;
    this.#pam = pam;
    this.#zone = zone;
  }

  parse(line: RawLine): LogEvent | null {
    // A journal line is sshd's or PAM's only from a process running as root (journald's _UID,
    // which the sender cannot choose): sshd's messages come from its privileged monitor, and
    // PAM runs in sshd, sudo, su and login as root. Anyone else writing `sshd` or `pam_unix`
    // is not believed (red team findings 5 and 6). A file line has no sender to check
    // (docs/detect.md: read sshd from the journal).
    const sender = line.meta?.sender;
    if (sender !== undefined && sender.uid !== 0) return null;
    const p = parseSyslogPrefix(line, this.#zone);
    if (!p || p.program === undefined) return null;
    const program = p.program;
    const message = p.messageStart === 0 ? line.text : line.text.slice(p.messageStart);
    // sshd, sshd-session (OpenSSH 9.8+ splits the per-connection process off), `sshd(pam_unix)` (old PAM).
    const paren = program.indexOf('(');
    const base = paren < 0 ? program : program.slice(0, paren);
    const oldPam = paren >= 0 && program.startsWith('(pam_', paren);
    const f: Fields = {};
    let dataset: string;
    let r: ReturnType<typeof runRules>;
    if (!oldPam && (base === 'sshd' || base === 'sshd-session') && !message.startsWith('pam_')) {
      dataset = 'sshd';
      r = runRules(this.#sshd, message, f, line.receivedAt, this.#zone);
    } else if (oldPam || message.startsWith('pam_')) {
      // PAM modules log through syslog(3), in sshd -e too. A uid 0 journal line that came
      // another way is some root process passing on text it was given (dockerd's journald
      // log driver writes a container's output as uid 0, a root service's stdout is uid 0):
      // not PAM (red team 2, finding R2-1).
      if (sender !== undefined && sender.transport !== 'syslog') return null;
      dataset = 'pam';
      r = runRules(this.#pam, message, f, line.receivedAt, this.#zone);
    } else return null;
    if (!r) return null;
    f['event.dataset'] = dataset;
    f['process.name'] = base;
    if (p.pid !== undefined) f['process.pid'] = p.pid;
    if (p.host !== undefined) f['host.hostname'] = p.host;
    return makeEvent(line, p.time, f);
  }
}
