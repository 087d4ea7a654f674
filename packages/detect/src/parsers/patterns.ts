/**
 * The built-in pattern library and line formats, as YAML (the same shape a user's own
 * pattern file has: see grok.ts). Compiled once per parser set.
 *
 * Why some patterns look the way they do:
 *   - QSBODY is the inside of a quoted string in which `"` appears only escaped (nginx
 *     writes \x22, Apache \"): the two alternatives cannot both match, so it is linear.
 *   - An sshd user name is whatever the client sent, spaces included. Where sshd logs an
 *     unknown user, the name is matched greedily up to the LAST ` from ADDRESS port N`,
 *     which sshd itself wrote, with the line anchored at its end: a name such as
 *     `x from 198.51.100.1 port 22` cannot put another address in source.ip.
 */
export const BUILTIN_PATTERNS_YAML = String.raw`
patterns:
  INT: '[0-9]+'
  NUMBER: '-?[0-9]+(?:\.[0-9]+)?'
  WORD: '[A-Za-z0-9_]+'
  NOTSPACE: '\S+'
  DATA: '[^ ]*'
  GREEDYDATA: '.*'
  IP: '[0-9A-Fa-f:.]{2,45}'
  IPORHOST: '[^\s,\]]+'
  HOSTPORT: '(?:\[[0-9A-Fa-f:.]+\](?::[0-9]+)?|[^\s\]\[]+)'
  LOGLEVEL: '[a-z]+'
  QSBODY: '(?:[^"\\]|\\.)*'
  HTTPDATE: '[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2}(?: [+-][0-9]{4})?'
  SLASHDATE: '[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}'
  CTIME: '[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})? [0-9]{4}'
  SSHTAIL: '(?: ssh2)?(?: \[preauth\])?'
  PAMMOD: '(?:pam_[a-z_]+\([^)\s]*\): )?'
  PAMUSER: '[^\s(]+'
  APCODE: 'AH[0-9]{5}'

formats:
  # nginx "combined" and "main", Apache "combined" and "common" (the referer and agent are optional).
  access:
    - name: combined
      match: '^%{NOTSPACE:source.ip:source} %{NOTSPACE} %{NOTSPACE:user.name:esc} \[%{HTTPDATE:-:httpdate}\] "%{QSBODY:-:request}" %{INT:http.response.status_code:int} %{NOTSPACE:http.response.body.bytes:int}(?: "%{QSBODY:http.request.referrer:esc}" "%{QSBODY:user_agent.original:esc}")?'
    - name: vhost_combined
      match: '^%{IPORHOST:destination.domain}:%{INT:destination.port:int} %{NOTSPACE:source.ip:source} %{NOTSPACE} %{NOTSPACE:user.name:esc} \[%{HTTPDATE:-:httpdate}\] "%{QSBODY:-:request}" %{INT:http.response.status_code:int} %{NOTSPACE:http.response.body.bytes:int}(?: "%{QSBODY:http.request.referrer:esc}" "%{QSBODY:user_agent.original:esc}")?'

  # nginx: 2026/12/03 14:00:00 [error] 123#123: *1 message, client: ..., server: ...
  nginx.error:
    - name: nginx-error
      match: '^%{SLASHDATE:-:slash} \[%{LOGLEVEL:log.level}\] %{INT:process.pid:int}#%{INT}: (?:\*%{INT} )?%{GREEDYDATA:message}$'

  # Apache 2.4: [Thu Dec 03 14:00:00.123456 2026] [core:error] [pid 1:tid 2] [client 192.0.2.1:5000] AH00126: ...
  # Apache 2.2: [Thu Dec 03 14:00:00 2026] [error] [client 192.0.2.1] File does not exist: ...
  apache.error:
    - name: apache-error
      match: '^\[%{CTIME:-:ctime}\] \[(?:%{WORD:log.logger}:)?%{LOGLEVEL:log.level}\](?: \[pid %{INT:process.pid:int}(?::tid %{INT})?\])?(?: \[client %{HOSTPORT:-:hostport}\])?(?: %{APCODE:error.code}:)? %{GREEDYDATA:message}$'

  # The message part of an sshd line (after the syslog prefix).
  sshd:
    - name: failed-invalid-user
      prefix: 'Failed '
      contains: ' for invalid user '
      match: '^Failed %{NOTSPACE:ssh.method} for invalid user %{GREEDYDATA:user.name} from %{IP:source.ip:source} port %{INT:source.port:int}%{SSHTAIL}$'
      set: { event.action: ssh-login, event.category: authentication, event.outcome: failure, event.reason: invalid user }
    - name: failed
      prefix: 'Failed '
      match: '^Failed %{NOTSPACE:ssh.method} for %{NOTSPACE:user.name} from %{IP:source.ip:source} port %{INT:source.port:int}'
      set: { event.action: ssh-login, event.category: authentication, event.outcome: failure, event.reason: wrong credentials }
    - name: accepted
      prefix: 'Accepted '
      match: '^Accepted %{NOTSPACE:ssh.method} for %{NOTSPACE:user.name} from %{IP:source.ip:source} port %{INT:source.port:int}'
      set: { event.action: ssh-login, event.category: authentication, event.outcome: success }
    - name: invalid-user
      prefix: 'Invalid user '
      match: '^Invalid user %{GREEDYDATA:user.name} from %{IP:source.ip:source}(?: port %{INT:source.port:int})?%{SSHTAIL}$'
      set: { event.action: ssh-invalid-user, event.category: authentication, event.outcome: failure, event.reason: invalid user }
    - name: invalid-user-empty
      prefix: 'Invalid user  from '
      match: '^Invalid user  from %{IP:source.ip:source}(?: port %{INT:source.port:int})?%{SSHTAIL}$'
      set: { event.action: ssh-invalid-user, event.category: authentication, event.outcome: failure, event.reason: invalid user }
    - name: max-attempts
      prefix: 'error: maximum authentication attempts exceeded for '
      match: '^error: maximum authentication attempts exceeded for (?:invalid user )?%{GREEDYDATA:user.name} from %{IP:source.ip:source} port %{INT:source.port:int}%{SSHTAIL}$'
      set: { event.action: ssh-max-auth-attempts, event.category: authentication, event.outcome: failure, event.reason: maximum authentication attempts exceeded }
    - name: too-many-failures
      prefix: 'Disconnecting '
      contains: 'Too many authentication failures'
      match: '^Disconnecting (?:authenticating|invalid) user %{GREEDYDATA:user.name} %{IP:source.ip:source} port %{INT:source.port:int}: Too many authentication failures%{SSHTAIL}$'
      set: { event.action: ssh-max-auth-attempts, event.category: authentication, event.outcome: failure, event.reason: too many authentication failures }
    - name: closed-authenticating
      prefix: 'Connection '
      match: '^Connection (?:closed|reset) by (?:authenticating|invalid) user %{GREEDYDATA:user.name} %{IP:source.ip:source} port %{INT:source.port:int}%{SSHTAIL}$'
      set: { event.action: ssh-connection-closed, event.category: authentication, event.outcome: failure, event.reason: closed before authentication }
    - name: closed
      prefix: 'Connection '
      match: '^Connection (?:closed|reset) by (?:user %{NOTSPACE:user.name} )?%{IP:source.ip:source} port %{INT:source.port:int}%{SSHTAIL}$'
      set: { event.action: ssh-connection-closed, event.category: network, event.outcome: unknown }
    - name: disconnected-authenticating
      prefix: 'Disconnected from '
      match: '^Disconnected from (?:authenticating|invalid) user %{GREEDYDATA:user.name} %{IP:source.ip:source} port %{INT:source.port:int}%{SSHTAIL}$'
      set: { event.action: ssh-disconnected, event.category: authentication, event.outcome: failure, event.reason: disconnected before authentication }
    - name: disconnected
      prefix: 'Disconnected from '
      match: '^Disconnected from (?:user %{NOTSPACE:user.name} )?%{IP:source.ip:source} port %{INT:source.port:int}%{SSHTAIL}$'
      set: { event.action: ssh-disconnected, event.category: network, event.outcome: unknown }
    - name: received-disconnect
      prefix: 'Received disconnect from '
      match: '^Received disconnect from %{IP:source.ip:source} port %{INT:source.port:int}:%{INT}: ?%{GREEDYDATA:event.reason}$'
      set: { event.action: ssh-disconnected, event.category: network, event.outcome: unknown }
    - name: pam-failures
      prefix: 'PAM '
      match: '^PAM %{INT:mamori.count:int} more authentication failures?; %{GREEDYDATA:-:pamkv}$'
      set: { event.action: ssh-login, event.category: authentication, event.outcome: failure, event.reason: more authentication failures }
    - name: no-identification
      prefix: 'Did not receive identification string from '
      match: '^Did not receive identification string from %{IP:source.ip:source}(?: port %{INT:source.port:int})?$'
      set: { event.action: ssh-no-identification, event.category: network, event.outcome: failure }
    - name: bad-banner
      prefix: 'banner exchange: '
      match: '^banner exchange: Connection from %{IP:source.ip:source} port %{INT:source.port:int}: %{GREEDYDATA:event.reason}$'
      set: { event.action: ssh-bad-banner, event.category: network, event.outcome: failure }
    - name: not-allowed
      prefix: 'User '
      contains: ' not allowed because '
      match: '^User %{NOTSPACE:user.name} from %{IPORHOST:source.ip:source} not allowed because %{GREEDYDATA:event.reason}$'
      set: { event.action: ssh-login, event.category: authentication, event.outcome: failure }
    - name: unable-to-negotiate
      prefix: 'Unable to negotiate with '
      match: '^Unable to negotiate with %{IP:source.ip:source} port %{INT:source.port:int}: %{GREEDYDATA:event.reason}$'
      set: { event.action: ssh-negotiation-failed, event.category: network, event.outcome: failure }
    - name: postponed
      prefix: 'Postponed '
      match: '^Postponed %{NOTSPACE:ssh.method} for (?:invalid user )?%{GREEDYDATA:user.name} from %{IP:source.ip:source} port %{INT:source.port:int}%{SSHTAIL}$'
      set: { event.action: ssh-login-postponed, event.category: authentication, event.outcome: unknown }
    - name: break-in-attempt
      prefix: 'reverse mapping checking getaddrinfo for '
      match: '^reverse mapping checking getaddrinfo for %{NOTSPACE:source.address} \[%{IP:source.ip:source}\] failed'
      set: { event.action: ssh-reverse-mapping-failed, event.category: network, event.outcome: unknown }
    - name: connection-from
      prefix: 'Connection from '
      match: '^Connection from %{IP:source.ip:source} port %{INT:source.port:int} on %{IP:destination.ip:ip} port %{INT:destination.port:int}'
      set: { event.action: ssh-connection, event.category: network, event.outcome: unknown }

  # The message of a PAM line: pam_unix(sshd:auth): authentication failure; logname= ... rhost=... user=...
  pam:
    - name: auth-failure
      contains: 'authentication failure;'
      match: '^%{PAMMOD}authentication failure; ?%{GREEDYDATA:-:pamkv}$'
      set: { event.action: pam-auth, event.category: authentication, event.outcome: failure, event.reason: authentication failure }
    - name: check-pass
      contains: 'check pass; user unknown'
      match: '^%{PAMMOD}check pass; user unknown$'
      set: { event.action: pam-auth, event.category: authentication, event.outcome: failure, event.reason: user unknown }
    - name: session-opened
      contains: 'session opened for user '
      match: '^%{PAMMOD}session opened for user %{PAMUSER:user.name}(?:\(uid=%{INT}\))?(?: by %{GREEDYDATA})?$'
      set: { event.action: session-opened, event.category: session, event.outcome: success }
    - name: session-closed
      contains: 'session closed for user '
      match: '^%{PAMMOD}session closed for user %{PAMUSER:user.name}'
      set: { event.action: session-closed, event.category: session, event.outcome: success }
`;
