/**
 * E-mail over SMTP (smtp.ts): one plain-text message per notice, the subject its headline.
 *
 *   notifiers:
 *     - kind: email
 *       host: mail.example.com
 *       port: 587
 *       tls: starttls
 *       username: alerts@example.com
 *       password: ${SMTP_PASSWORD}
 *       from: alerts@example.com
 *       to: [security@example.com]
 */
import { bodyLines, headline, type Notice } from './notice.js';
import { PermanentError, type Transport } from './outbox.js';
import { sendMail, SmtpRefused, type SmtpOptions } from './smtp.js';

export interface EmailOptions extends SmtpOptions {
  from: string;
  to: readonly string[];
}

export function emailText(n: Notice): { subject: string; text: string } {
  return { subject: `[mamori] ${headline(n)}`, text: `${bodyLines(n).join('\n')}\n\n-- \nmamori alerts\n` };
}

export class EmailTransport implements Transport {
  readonly name: string;
  readonly #o: EmailOptions;
  constructor(o: EmailOptions) {
    this.#o = o;
    this.name = `smtp ${o.host}:${o.port}`;
  }
  async send(n: Notice, signal: AbortSignal): Promise<void> {
    const { subject, text } = emailText(n);
    try {
      await sendMail(this.#o, { from: this.#o.from, to: this.#o.to, subject, text }, signal);
    } catch (err) {
      if (err instanceof SmtpRefused) throw new PermanentError(err.message);
      throw err;
    }
  }
}
