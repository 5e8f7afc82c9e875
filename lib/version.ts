/** The library's name and version, recorded in every run's config.json. */
export const LIBRARY = { name: 'sgd-thermophoresis', version: '0.1.0' } as const;
