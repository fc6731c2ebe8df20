/** The JSON API's paths, `/api` itself included; case-insensitive, as Express routes them. */
const API_PATH = /^\/api(?:[/?]|$)/i;

/** Whether a request target (req.url or req.originalUrl) is one of the JSON API's. */
export const isApiPath = (url: string): boolean => API_PATH.test(url);
