/** Bot scopes the app asks for (also in slack-app-manifest.yaml; a test keeps the two equal). */
export const SLACK_SCOPES = [
  'commands',
  'chat:write',
  'chat:write.public',
  'channels:read',
  'channels:history', // cards: after a crash, look for an unconfirmed card before posting it again
  'groups:history',
  'groups:read',
  'im:write',
  'im:read',
  'im:history', // import notices: after a lost answer, look for the notice before sending it again
  'users:read',
];
