// The ACL subsystem hung off a server: users (src/acl/user.ts), the permission
// check in the dispatcher's 'acl' phase and authentication (acl.ts), the ACL
// command (commands.ts). requirepass stays the default user's password.

import type { Server } from '../server/server.js';
import type { Client } from '../server/client.js';
import { Acl } from './acl.js';
import { aclHandlers } from './commands.js';

export { Acl } from './acl.js';

const NO_ACLFILE =
  'ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.';

export function installAcl(server: Server): Acl {
  const acl = new Acl(server);
  server.requiresAuth = () => acl.authRequired();
  server.defaultUserNopass = () => acl.defaultUser.nopass;
  server.authenticate = (c, user, pass) => acl.authenticate(c as Client, user, pass);
  server.resetHooks.push((c) => {
    (c as Client).aclUser = null;
  });
  server.resetStatHooks.push(() => {
    server.aclDenied.cmd = 0;
    server.aclDenied.key = 0;
    server.aclDenied.channel = 0;
  });
  server.config.onChange((name) => {
    if (name === 'requirepass') acl.updateRequirePass();
  });
  server.commands.provideAll(
    aclHandlers(acl, {
      load: (c) => c.addError(NO_ACLFILE),
      save: (c) => c.addError(NO_ACLFILE),
    }),
  );
  return acl;
}
