/** Distinct, stable colours for categories by position (golden-angle hues). */

/** The colour of the category at `index`, as CSS `hsl()`. */
export function categoryColor(index: number): string {
  return `hsl(${Math.round((index * 137.508) % 360)}, 85%, 55%)`;
}
