/** Alerts for the alert tests (a .case file: not packed, only tests import it). */
import type { Alert, LogEvent } from '../model.js';

export function sshLine(ip: string, user: string, time: number): LogEvent {
  return {
    time,
    fields: { 'event.dataset': 'sshd', 'event.outcome': 'failure', 'source.ip': ip, 'user.name': user, message: `Failed password for ${user} from ${ip} port 52100 ssh2` },
    line: { text: `Dec  3 15:00:00 host sshd[123]: Failed password for ${user} from ${ip} port 52100 ssh2`, input: '/var/log/auth.log', receivedAt: time },
  };
}

export function alert(over: Partial<Alert> & { ip?: string } = {}): Alert {
  const ip = over.ip ?? '203.0.113.9';
  const time = over.time ?? Date.UTC(2026, 0, 1, 0, 0, 0);
  const { ip: _ip, ...rest } = over;
  return {
    id: `ssh-bf-${ip}-${time}`,
    detector: 'ssh-bruteforce',
    kind: 'scenario',
    title: 'SSH brute force',
    severity: 'high',
    time,
    group: { 'source.ip': ip },
    count: 12,
    firstTime: time - 30_000,
    samples: [sshLine(ip, 'alice', time - 1000), sshLine(ip, 'root', time)],
    remedy: { action: 'block', scope: 'ip', value: ip, ttlMs: 4 * 3_600_000 },
    ...rest,
  };
}
