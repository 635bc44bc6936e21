import os from 'node:os';

/**
 * Who is making a change, as the registry records it: ARTIFACTS_USER when set (CI jobs, shared accounts), else the
 * login name and host. Advisory, like a commit author: it says who ran the command, it does not authenticate them.
 */
export function actorOf(env: NodeJS.ProcessEnv = process.env): string {
  const named = env['ARTIFACTS_USER']?.trim();
  if (named) return named;
  let user = env['USER'] ?? env['USERNAME'] ?? 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // No passwd entry (some containers): the environment's name will do.
  }
  return `${user}@${os.hostname()}`;
}
