// The shape every benchmark module returns, so `npm run bench` can print one table and fail on a missed goal.

/**
 * @typedef {object} Figure
 * @property {string} name what was measured, e.g. "start-up, bundled, every vendor"
 * @property {number} value the measured figure (a ratio or an absolute amount, see unit)
 * @property {string} unit e.g. "× bare node", "MiB", "ms", "files"
 * @property {string} goal the goal in words, e.g. "≤ 2.0×"
 * @property {boolean} ok whether the goal was met
 * @property {string} [detail] the side-by-side baseline and raw figures behind the value
 */

export {};
