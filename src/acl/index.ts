// The ACL subsystem hung off a server: users (src/acl/user.ts), the permission
// check in the dispatcher's 'acl' phase and authentication (acl.ts), the ACL
// command (commands.ts). requirepass stays the default user's password.

import type { Server } from '../server/server.js';
import type { Client } from '../server/client.js';
import { Acl, ACL_OK } from './acl.js';
import { aclHandlers } from './commands.js';
import { checkUserLines, loadAclFile, loadUsersAtStartup, saveAclFile, userLines } from './file.js';

export { Acl } from './acl.js';
export { AclStartupError } from './file.js';

const NO_ACLFILE =
  'ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.';

/**
 * The ACL of `server`, with the users of its `user` lines or aclfile. Throws a
 * ConfigFileError for a bad `user` line (redis-server's config error) and an
 * AclStartupError when the users cannot be loaded (logged, then exit 1).
 */
export function installAcl(server: Server): Acl {
  const acl = new Acl(server);
  const bad = checkUserLines(acl);
  if (bad !== null) throw bad;
  loadUsersAtStartup(acl);
  server.config.userLinesProvider = () => userLines(acl);
  server.requiresAuth = () => acl.authRequired();
  server.defaultUserNopass = () => acl.defaultUser.nopass;
  server.authenticate = (c, user, pass) => acl.authenticate(c as Client, user, pass);
  server.aclScriptCheck = (c, spec, argv, bits) => acl.scriptCheck(c as Client, spec, argv, bits);
  server.aclAllows = (c, spec, argv, bits) => {
    const u = acl.userOf(c as Client);
    return u.unrestricted || acl.check(u, spec, argv, bits).result === ACL_OK;
  };
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
      load: (c) => {
        const file = server.config.getString('aclfile');
        if (file === '') return c.addError(NO_ACLFILE);
        const err = loadAclFile(acl, file, c);
        if (err === null) c.addOk();
        else c.addError('ERR ' + err);
      },
      save: (c) => {
        const file = server.config.getString('aclfile');
        if (file === '') return c.addError(NO_ACLFILE);
        if (saveAclFile(acl, file)) c.addOk();
        else c.addError('ERR There was an error trying to save the ACLs. Please check the server logs for more information');
      },
    }),
  );
  return acl;
}
