/**
 * A fake card payment gateway. It is NOT a real processor: it approves only
 * the documented test numbers and declines everything else. Like a real
 * acquirer it bills the shop for every authorization it receives, approved
 * or declined, which is what makes card-testing attacks expensive.
 */
import { randomBytes } from 'node:crypto';

export interface TestCard {
  readonly brand: string;
  readonly number: string;
}

/** The only numbers the fake gateway approves (any expiry, any CVC). */
export const TEST_CARDS: readonly TestCard[] = Object.freeze([
  Object.freeze({ brand: 'Visa', number: '4242424242424242' }),
  Object.freeze({ brand: 'Mastercard', number: '5555555555554444' }),
  Object.freeze({ brand: 'JCB', number: '3530111333300000' }),
]);

/** What the gateway charges the shop for each authorization request, in yen. */
export const GATEWAY_FEE_JPY = 30;

export interface GatewayStats {
  authorizations: number;
  approved: number;
  declined: number;
  fees_jpy: number;
  /** Payments run with 3-D Secure first (mamori asked for it), and how many of them the cardholder did not pass. */
  three_ds: number;
  three_ds_failed: number;
}

export interface CardDetails {
  number: string;
  exp_month: number;
  exp_year: number;
  cvc: string;
}

export type Authorization =
  | { status: 'approved'; authorization_id: string }
  | { status: 'declined'; reason: 'card_declined' | 'authentication_failed' };

export interface FakeGateway {
  /**
   * `threeDS`: authenticate the cardholder first (3-D Secure). Only the holders of the test
   * cards pass; for any other number authentication fails and no authorization is requested,
   * so no fee is billed (a tester with generated numbers has no cardholder to authenticate).
   */
  authorize(card: CardDetails, amountJpy: number, opts?: { threeDS?: boolean }): Authorization;
  stats(): GatewayStats;
}

export function createFakeGateway(): FakeGateway {
  const approvedNumbers = new Set(TEST_CARDS.map((c) => c.number));
  const counts: GatewayStats = { authorizations: 0, approved: 0, declined: 0, fees_jpy: 0, three_ds: 0, three_ds_failed: 0 };
  return {
    authorize(card, _amount, opts) {
      if (opts?.threeDS) {
        counts.three_ds++;
        if (!approvedNumbers.has(card.number)) {
          counts.three_ds_failed++;
          return { status: 'declined', reason: 'authentication_failed' };
        }
      }
      counts.authorizations++;
      counts.fees_jpy += GATEWAY_FEE_JPY;
      if (approvedNumbers.has(card.number)) {
        counts.approved++;
        return { status: 'approved', authorization_id: `auth_${randomBytes(12).toString('hex')}` };
      }
      counts.declined++;
      return { status: 'declined', reason: 'card_declined' };
    },
    stats: () => ({ ...counts }),
  };
}
