import type { TargetScheme } from '../target-scheme';

/** `8:acs:<resource id>_<user id>`: an Azure Communication Services user (protocols.md §6.2). */
export const ACS_USER: TargetScheme = {
  name: '8:acs',
  pattern: '8:acs:[0-9A-Za-z-]{1,64}_[0-9A-Za-z-]{1,64}',
  shape: '8:acs:<id>',
};
