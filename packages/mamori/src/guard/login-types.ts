/**
 * What the login guard is given and answers: an attempt, its verdict, its report. Types only;
 * the policy that reads them is in login.ts, which exports them too.
 */
import type { Clock } from '../core/clock.js';
import type { EventSink } from '../core/events.js';
import type { SourceGrouping } from '../core/net.js';
import type { Random } from '../core/random.js';
import type { Store } from '../core/store.js';
import type { Verdict } from './verdict.js';

/**
 * How a site tells accounts apart, which decides whose a trusted-device token is: `exact`
 * (Alice and alice are two accounts), `lowercase` (case is ignored), `wordpress` (as
 * accountSkeleton merges names). Counting always merges names as accountSkeleton does (the
 * strict side for counts); trust must not merge more than the site does, or an attacker's
 * own look-alike account would earn a token for the victim's.
 */
export type UsernameNormalization = 'exact' | 'lowercase' | 'wordpress';

export interface LoginAttempt {
  /** Client address, as the adapter determined it. */
  readonly ip: string;
  readonly username: string;
  /** How the site tells accounts apart (default exact): the account a device token is for. */
  readonly normalize?: UsernameNormalization;
  /**
   * The application whose accounts this login checks (a login endpoint's account_scope):
   * `admin` on WordPress and `admin` on phpMyAdmin are two accounts, counted apart, and a
   * device trusted for one is not trusted for the other. Absent or '': the unscoped accounts.
   * Decisions on an account (`mamori decisions add --user`) name it in every application.
   */
  readonly scope?: string;
  /** Only used to spot spraying: never stored; its keyed hash (under a per-window key in memory) is. */
  readonly password?: string;
  /** The trusted-device token the client presented, if any. */
  readonly deviceToken?: string;
  /** The client solved a proof-of-work challenge for this login. */
  readonly challengePassed?: boolean;
  /**
   * The difficulty that challenge was solved at: when given, the pass answers only a challenge
   * asking for that much or less (LoginGuardDeps.challengeDifficulty), at the source's
   * escalation `challengeLevel` (see challengeLevel).
   */
  readonly challengeBits?: number;
  readonly challengeLevel?: number;
  readonly country?: string;
  readonly userAgent?: string;
  readonly path?: string;
}

export interface LoginVerdict extends Verdict {
  /** A valid trusted-device token for this account came with the attempt. */
  readonly trustedDevice: boolean;
  /** Let through because the client solved the challenge it would have got. */
  readonly challengeSolved?: boolean;
  /**
   * On a challenge: the source's escalation level read with the check (its failures behind
   * solved challenges; see LoginGuard.challengeLevel), what the challenge's difficulty is for.
   */
  readonly challengeLevel?: number;
}

export interface LoginReport {
  /** A fresh trusted-device token to hand to the client (on success). */
  readonly deviceToken?: string;
  readonly deviceTtlMs?: number;
}

/** What a LoginGuard works with. */
export interface LoginGuardDeps {
  store: Store;
  clock: Clock;
  random: Random;
  secret: Buffer;
  events: EventSink;
  grouping: SourceGrouping;
  /**
   * The difficulty a challenge for `ruleId` asks at escalation `level` (the Guard's challenger):
   * what an attempt's challengeBits must reach. Without it, any solved challenge does.
   */
  challengeDifficulty?: (ruleId: string, level: number) => number;
  /** Where a store write no answer waited for reports its failure (default: a warning at most once a minute). */
  onError?: ((err: unknown) => void) | undefined;
}
