/**
 * Slugs, since usernames go into Redis keys. Its own module, without zod, so the CLI can check an
 * argument before loading anything heavy.
 */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
