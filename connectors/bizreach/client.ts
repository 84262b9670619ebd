/** bizreach: drives the employer console through the shared console client. */
import { CONSOLE_CONFIGS, type ConsoleConfig } from '../console/config';

export const bizReachConfig: ConsoleConfig = CONSOLE_CONFIGS.bizreach;
export { withConsoleSession, listUrl } from '../console/client';
