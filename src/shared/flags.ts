/** An on/off setting from `[vars]` (a number or boolean in wrangler.toml, a string from `--var`). */
export function isFlagSet(flag: string | number | boolean | undefined): boolean {
  return flag === true || flag === 1 || flag === "1" || flag === "true";
}
