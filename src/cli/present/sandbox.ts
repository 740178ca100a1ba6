// `wa-cli sandbox --json`: where the sandbox listens, and each profile's environment. The one place keys are data:
// profile names and environment variable names, as the shell needs them (`jq -r '.exports["qontak-hmac"]'`).
export const sandboxJson = (url: string, profiles: Record<string, Record<string, string>>) => ({
  url,
  profiles,
  /** Shell lines per profile, for `eval` once the line is in a file (the sandbox keeps running). */
  exports: Object.fromEntries(Object.entries(profiles).map(([name, env]) => [name, Object.entries(env).map(([k, v]) => `export ${k}=${v}`).join('\n')])),
});
