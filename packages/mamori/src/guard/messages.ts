/**
 * The words mamori shows people (the challenge page, the block page), in
 * Japanese and English, chosen by the request's Accept-Language: Japanese
 * when the browser prefers it to English, English otherwise.
 */

export type Lang = 'ja' | 'en';

/**
 * Japanese when the highest-weighted of `ja*` and `en*` in Accept-Language is `ja` (on a tie,
 * the one listed first); English otherwise, and when the header is missing or names neither.
 */
export function pickLanguage(acceptLanguage: string | undefined): Lang {
  if (!acceptLanguage || acceptLanguage.length > 2048) return 'en';
  let best: { lang: Lang; q: number } | undefined;
  for (const part of acceptLanguage.split(',').slice(0, 64)) {
    const [tag, ...params] = part.trim().toLowerCase().split(';');
    const primary = (tag ?? '').trim().split('-')[0];
    if (primary !== 'ja' && primary !== 'en') continue;
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/.exec(p);
      if (m) q = Number(m[1]);
    }
    if (q <= 0 || q > 1) continue;
    if (!best || q > best.q) best = { lang: primary, q };
  }
  return best?.lang ?? 'en';
}

/** A duration as people say it: "about 1 hour" / 約1時間, never a count of seconds. */
export function humanDuration(seconds: number, lang: Lang): string {
  const s = Math.max(0, Math.ceil(Number.isFinite(seconds) ? seconds : 0));
  if (s < 60) return lang === 'ja' ? '1分以内' : 'less than a minute';
  const minutes = Math.round(s / 60);
  if (minutes < 60) return lang === 'ja' ? `約${minutes}分` : `about ${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(s / 3600);
  if (s < 36 * 3600) return lang === 'ja' ? `約${hours}時間` : `about ${hours} hour${hours === 1 ? '' : 's'}`;
  const days = Math.round(s / 86400);
  return lang === 'ja' ? `約${days}日` : `about ${days} day${days === 1 ? '' : 's'}`;
}

/** The challenge page's words. `{t}` in `working` is the seconds spent so far. */
export interface ChallengeText {
  title: string;
  intro: string;
  starting: string;
  working: string;
  checking: string;
  continueGet: string;
  continuePost: string;
  back: string;
  backLink: string;
  failed: string;
  retry: string;
  unsupported: string;
  noscript: string;
  trustedNote: string;
  progressLabel: string;
}

export function challengeText(lang: Lang, waitSeconds: number | undefined): ChallengeText {
  if (lang === 'ja') {
    const wait =
      waitSeconds !== undefined
        ? `または、しばらく（目安は${humanDuration(waitSeconds, 'ja')}）待ってから、もう一度お試しください。`
        : 'または、しばらく待ってから、もう一度お試しください。';
    return {
      title: 'ブラウザを確認しています',
      intro: 'このサイトは自動化された攻撃から守られています。お使いのブラウザが攻撃プログラムではないことを示すため、いま短い計算をしています。操作は必要ありません。終わると自動で次に進みます。',
      starting: '開始しています…',
      working: '計算しています…（{t}秒）',
      checking: '計算が終わりました。確認しています…',
      continueGet: '確認できました。ページを開いています…',
      continuePost: '確認できました。送信した内容をもう一度送っています…',
      back: '確認できました。ただ、送信した内容を自動で送り直すことはできませんでした。お手数ですが、もう一度入力してください。まもなく入力画面に戻ります…',
      backLink: '入力画面に戻る',
      failed: '確認を完了できませんでした（時間がかかりすぎた可能性があります）。もう一度お試しください。',
      retry: 'もう一度試す',
      unsupported: 'この確認には新しいブラウザが必要です。ブラウザを更新するか、サイトの運営者にお問い合わせください。',
      noscript: `この確認には JavaScript が必要です。このサイトで JavaScript を有効にしてから、もう一度お試しください。${wait}`,
      trustedNote: 'このブラウザで以前このサイトにログインしたことがある場合は、ログインのときにこの確認は求められません。',
      progressLabel: '確認の進み具合',
    };
  }
  const wait =
    waitSeconds !== undefined
      ? `Or wait a while (${humanDuration(waitSeconds, 'en')} at most, as a rule) and try again.`
      : 'Or wait a while and try again.';
  return {
    title: 'Checking your browser',
    intro: 'This site protects itself from automated attacks. Your browser is doing a short calculation to show that it is not one. You do not need to do anything: the page moves on by itself when it is done.',
    starting: 'Starting...',
    working: 'Calculating... ({t} s)',
    checking: 'Done calculating. Checking the answer...',
    continueGet: 'Checked. Opening the page...',
    continuePost: 'Checked. Sending your form again...',
    back: 'Checked. Your form could not be sent again by itself: please enter it again. Taking you back to the form...',
    backLink: 'Back to the form',
    failed: 'The check could not be finished (it may have taken too long). Please try again.',
    retry: 'Try again',
    unsupported: 'This check needs a current browser. Please update your browser, or contact the site.',
    noscript: `This check needs JavaScript. Turn on JavaScript for this site, then try again. ${wait}`,
    trustedNote: 'If you have signed in to this site from this browser before, you are not asked for this check when you sign in.',
    progressLabel: 'Progress of the check',
  };
}

export interface BlockText {
  title: string;
  message: string;
  when?: string;
  trustedNote?: string;
  frontLink: string;
  backLink: string;
}

/**
 * The block page's words. `loginLimit`: too many sign-in attempts (429); otherwise the page is
 * not allowed from here (403). `trustedMaySignIn`: the block is on the source, and a browser that
 * signed in here before (a trusted device) still gets in.
 */
export function blockText(lang: Lang, o: { loginLimit: boolean; retryAfter?: number | undefined; trustedMaySignIn: boolean; tooHard?: boolean }): BlockText {
  const ja = lang === 'ja';
  const t: BlockText = ja
    ? {
        title: o.loginLimit ? 'しばらくお待ちください' : 'このページは表示できません',
        message: o.loginLimit ? '試行の回数が多すぎたため、一時的に受け付けを止めています。' : 'このページには、いまお使いの場所からはアクセスできません。',
        frontLink: 'サイトのトップページへ',
        backLink: '前のページに戻る',
      }
    : {
        title: o.loginLimit ? 'Please wait' : 'Not allowed from here',
        message: o.loginLimit ? 'There were too many attempts, so they are paused for now.' : 'This page cannot be opened from where you are now.',
        frontLink: "Go to the site's front page",
        backLink: 'Back to the page',
      };
  if (o.tooHard) {
    t.message = ja
      ? 'いまこのサイトが求めている確認は、ブラウザでは時間がかかりすぎるため、ここでは行いません。'
      : 'The check this site asks for now would take your browser too long, so it is not offered here.';
  }
  if (o.retryAfter !== undefined && Number.isFinite(o.retryAfter) && o.retryAfter > 0) {
    t.when = ja ? `${humanDuration(o.retryAfter, 'ja')}後に、もう一度お試しください。` : `Please try again in ${humanDuration(o.retryAfter, 'en')}.`;
  }
  if (o.trustedMaySignIn) {
    t.trustedNote = ja
      ? 'このブラウザで以前このサイトにログインしたことがある場合は、このブラウザからならいまもログインできます。'
      : 'If you have signed in to this site from this browser before, you can still sign in from this browser.';
  }
  return t;
}

/** Text made safe for HTML, in an element or a quoted attribute. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The start of the pages mamori shows people, up to and including `<body>`: the one head they share. */
export function pageStart(lang: Lang, title: string, style: string): string {
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${style}</style>
</head>
<body>
`;
}
