import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'invitations-gateway:public';

/**
 * Marks a controller or route as reachable without an API key: health, docs, the
 * sandbox simulators and provider ingress (which authenticate their own way).
 */
export const Public = () => SetMetadata(IS_PUBLIC, true);
