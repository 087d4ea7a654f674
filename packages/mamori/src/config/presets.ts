/**
 * Login presets: `logins: [{ preset: wordpress }]` protects every route to a
 * password of a known application, written once here and tested against an
 * upstream shaped like it. A preset expands into login endpoints exactly as a
 * user would write them in mamori.yaml (checked the same way), plus rate
 * limits for the routes that are not logins but feed attacks (lost password,
 * registration). `base` is where the application lives (`/blog`,
 * `/phpmyadmin`); each preset documents its default.
 *
 * What each preset covers and does not is listed in docs/presets.md.
 */

export interface PresetOptions {
  /** Where the application is mounted, e.g. `/blog`; the preset's default when absent. */
  base?: string | undefined;
  /** A prefix for the endpoints' names; the preset's name when absent. */
  name?: string | undefined;
  /** The application whose accounts the logins check (account_scope); `name`, else the application, when absent. */
  accountScope?: string | undefined;
}

export interface ExpandedPreset {
  /** Login endpoints, in mamori.yaml's form. */
  logins: Record<string, unknown>[];
  /** Rate limits, in mamori.yaml's form. */
  rateLimits: Record<string, unknown>[];
}

type Preset = (base: string, name: string) => ExpandedPreset;

/**
 * WordPress's XML-RPC methods that take an account name and password, with
 * their positions among the params where they are not the usual [1, 2]
 * (blog id, username, password). Read from WordPress 6.1's
 * class-wp-xmlrpc-server.php; methods that authenticate nobody map to [].
 */
const WORDPRESS_XMLRPC: Record<string, number[]> = {
  'wp.getUsersBlogs': [0, 1],
  'wp.getPage': [2, 3],
  'wp.editPage': [2, 3],
  'blogger.getUsersBlogs': [1, 2],
  'blogger.getUserInfo': [1, 2],
  'blogger.getPost': [2, 3],
  'blogger.getRecentPosts': [2, 3],
  'blogger.newPost': [2, 3],
  'blogger.editPost': [2, 3],
  'blogger.deletePost': [2, 3],
  'metaWeblog.getUsersBlogs': [1, 2],
  'metaWeblog.deletePost': [2, 3],
  'system.listMethods': [],
  'system.getCapabilities': [],
  'demo.sayHello': [],
  'demo.addTwoNumbers': [],
  'pingback.ping': [],
  'pingback.extensions.getPingbacks': [],
  'mt.supportedMethods': [],
  'mt.supportedTextFilters': [],
  'mt.getTrackbackPings': [],
};

/** WordPress's forms at wp-login.php that are not the login, by their `action`. */
const WORDPRESS_OTHER_FORMS = {
  lostpassword: ['lostpassword', 'retrievepassword'],
  register: ['register'],
  reset: ['resetpass', 'rp'],
  postpass: ['postpass'],
};

const wordpress: Preset = (base, name) => ({
  logins: [
    {
      name: `${name}-login`,
      path: `${base}/wp-login.php`,
      username: { form: 'log' },
      password: { form: 'pwd' },
      // A failed login answers the form again (200) with its error box; a real one sets the
      // logged-in cookie (302 to the admin, or 200 for the interim login of an expired session).
      failure: { body_contains: 'login_error' },
      // The logged-in cookie's value starts with the account WordPress logged in (`name|expiry|...`).
      success: { set_cookie: 'wordpress_logged_in_', account_cookie: 'wordpress_logged_in_' },
    },
    {
      name: `${name}-xmlrpc`,
      path: `${base}/xmlrpc.php`,
      credentials: 'xmlrpc',
      xmlrpc: { methods: WORDPRESS_XMLRPC, default_params: [1, 2] },
      // IXR_Error(403, 'Incorrect username or password.')
      failure: { fault_codes: [403] },
    },
    {
      // Application passwords on the REST API (and on XML-RPC) come as HTTP Basic, on any path:
      // `/?rest_route=` reaches the REST API as well as `/wp-json/`.
      name: `${name}-http-auth`,
      paths: [base === '' ? '*' : `${base}/*`],
      credentials: 'http-auth',
      failure: { status: [401] },
      // A wrong application password makes a REST request anonymous, which many routes answer
      // without a 401 (`?_envelope` always 200): only an answer for a logged-in client proves
      // the password. The REST API sends no-cache headers only to one, and marks its answers
      // with Access-Control-Expose-Headers; any other answer counts as a failure.
      success: { headers: { expires: '11 Jan 1984', 'access-control-expose-headers': 'X-WP-Total' } },
    },
  ],
  rateLimits: [
    {
      name: `${name}-lostpassword`,
      paths: [`${base}/wp-login.php`],
      methods: ['POST'],
      query: { action: WORDPRESS_OTHER_FORMS.lostpassword },
      per_source: { limit: 5, window: '15m' },
      per_account: { field: { form: 'user_login' }, limit: 3, window: '1h' },
    },
    {
      name: `${name}-register`,
      paths: [`${base}/wp-login.php`],
      methods: ['POST'],
      query: { action: WORDPRESS_OTHER_FORMS.register },
      per_source: { limit: 3, window: '1h' },
    },
    {
      name: `${name}-resetpass`,
      paths: [`${base}/wp-login.php`],
      methods: ['POST'],
      query: { action: WORDPRESS_OTHER_FORMS.reset },
      per_source: { limit: 10, window: '15m' },
    },
    {
      // The password of a protected post: guessable, and no account to count it under.
      name: `${name}-postpass`,
      paths: [`${base}/wp-login.php`],
      methods: ['POST'],
      query: { action: WORDPRESS_OTHER_FORMS.postpass },
      per_source: { limit: 10, window: '15m' },
    },
  ],
});

const phpmyadmin: Preset = (base, name) => ({
  logins: [
    {
      // The login form posts to index.php (route=/), as does nearly everything else phpMyAdmin
      // does: only a request carrying pma_username is a login, the rest passes untouched.
      name: `${name}-login`,
      path: `${base}/index.php`,
      username: { form: 'pma_username' },
      password: { form: 'pma_password' },
      failure: { status: [200] },
      success: { status: [302], set_cookie: 'pmaAuth-1' },
    },
  ],
  rateLimits: [],
});

/** phpMyAdmin with `auth_type = 'http'`: the browser's Basic authentication on every page. */
const phpmyadminHttp: Preset = (base, name) => ({
  logins: [
    {
      name: `${name}-http-auth`,
      paths: [`${base}/*`],
      credentials: 'http-auth',
      failure: { status: [401] },
    },
  ],
  rateLimits: [],
});

const roundcube: Preset = (base, name) => ({
  logins: [
    {
      // The login posts `_task=login&_action=login&_user=...&_pass=...` to the directory's index;
      // mail, settings and logout go there too, without _user.
      name: `${name}-login`,
      path: `${base}/index.php`,
      username: { form: '_user' },
      password: { form: '_pass' },
      failure: { status: [401] },
      success: { status: [302], set_cookie: 'roundcube_sessauth' },
    },
  ],
  rateLimits: [],
});

/**
 * EC-CUBE 4 (Symfony form_login): the back office at `<admin route>/login`
 * (login_id, password) and the shop's member login at `/mypage/login`
 * (login_email, login_pass). A failure redirects back to the login page; a
 * success redirects elsewhere with the session id renewed (Set-Cookie eccube).
 * `base` here is the admin route (default /admin); the member login is at the
 * shop's root.
 */
const eccube: Preset = (base, name) => ({
  logins: [
    {
      name: `${name}-admin-login`,
      // Symfony's front controller also routes /index.php/<path> (path info) to the same login.
      paths: [`${base}/login`, `/index.php${base}/login`],
      username: { form: 'login_id' },
      password: { form: 'password' },
      failure: { redirect_contains: `${base}/login` },
      success: { status: [302], set_cookie: 'eccube' },
      refuse_fields: ['_failure_path', '_target_path'],
    },
    {
      name: `${name}-mypage-login`,
      paths: ['/mypage/login', '/index.php/mypage/login'],
      username: { form: 'login_email' },
      password: { form: 'login_pass' },
      failure: { redirect_contains: '/mypage/login' },
      success: { status: [302], set_cookie: 'eccube' },
      refuse_fields: ['_failure_path', '_target_path'],
    },
  ],
  rateLimits: [
    {
      name: `${name}-forgot`,
      paths: ['/forgot', '/index.php/forgot'],
      methods: ['POST'],
      per_source: { limit: 5, window: '15m' },
    },
  ],
});

/** Each preset, its default base, and the application whose accounts its logins check. */
const PRESETS: Record<string, { preset: Preset; base: string; app: string }> = {
  wordpress: { preset: wordpress, base: '', app: 'wordpress' },
  phpmyadmin: { preset: phpmyadmin, base: '/phpmyadmin', app: 'phpmyadmin' },
  // The same accounts (the database's) as the cookie login.
  'phpmyadmin-http': { preset: phpmyadminHttp, base: '/phpmyadmin', app: 'phpmyadmin' },
  roundcube: { preset: roundcube, base: '/roundcube', app: 'roundcube' },
  eccube: { preset: eccube, base: '/admin', app: 'eccube' },
};

export const PRESET_NAMES: readonly string[] = Object.keys(PRESETS);

/**
 * The application whose accounts a preset's logins check (account_scope): the one given, else
 * the preset's name, else its application. Undefined for an unknown preset.
 */
export function presetScope(preset: string, o: Pick<PresetOptions, 'name' | 'accountScope'> = {}): string | undefined {
  return Object.hasOwn(PRESETS, preset) ? (o.accountScope ?? o.name ?? PRESETS[preset]!.app) : undefined;
}

/** Expands a preset; throws with a message naming the known presets when the name is unknown. */
export function expandPreset(preset: string, o: PresetOptions = {}): ExpandedPreset {
  const p = Object.hasOwn(PRESETS, preset) ? PRESETS[preset] : undefined;
  if (!p) throw new Error(`"${String(preset).slice(0, 40)}" is not a preset; known: ${PRESET_NAMES.join(', ')}`);
  const base = (o.base ?? p.base).replace(/\/+$/, '');
  if (base !== '' && !/^\/[A-Za-z0-9._~!$&'()+,;=:@%/-]*$/.test(base)) throw new Error(`base "${base.slice(0, 60)}" must be a path such as /blog`);
  const expanded = p.preset(base, o.name ?? preset);
  // Every login of the preset checks the one application's accounts: counted apart from any
  // other application's accounts of the same name, with trusted devices of their own.
  const scope = presetScope(preset, o)!;
  return { ...expanded, logins: expanded.logins.map((l) => ({ account_scope: scope, ...l })) };
}

/**
 * Policy presets: an application's admin area, for `policy: [{ name, preset, allow_ips... }]`.
 * The preset gives the paths (and the paths under them that must stay open); the rule's
 * conditions are the user's.
 */
const POLICY_PRESETS: Record<string, (base: string) => { paths: string[]; except_paths?: string[] }> = {
  // wp-admin, less the two entry points WordPress's public pages and forms post to.
  'wordpress-admin': (base) => ({ paths: [`${base}/wp-admin`], except_paths: [`${base}/wp-admin/admin-ajax.php`, `${base}/wp-admin/admin-post.php`] }),
  phpmyadmin: (base) => ({ paths: [`${base === '' ? '/phpmyadmin' : base}`] }),
  roundcube: (base) => ({ paths: [`${base === '' ? '/roundcube' : base}`] }),
  'eccube-admin': (base) => {
    const b = base === '' ? '/admin' : base;
    return { paths: [b, `/index.php${b}`] };
  },
};

export const POLICY_PRESET_NAMES: readonly string[] = Object.keys(POLICY_PRESETS);

/** The paths of a policy preset under `base` ('' for the application's usual place). */
export function expandPolicyPreset(preset: string, base = ''): { paths: string[]; except_paths?: string[] } {
  const p = Object.hasOwn(POLICY_PRESETS, preset) ? POLICY_PRESETS[preset] : undefined;
  if (!p) throw new Error(`"${String(preset).slice(0, 40)}" is not a policy preset; known: ${POLICY_PRESET_NAMES.join(', ')}`);
  return p(base.replace(/\/+$/, ''));
}
