// Dependency arrows: orthogonal routes from the predecessor's start or finish to the
// successor's start or finish, as planners draw them (MS Project style).
//
// FS leaves the predecessor's finish rightwards and enters the successor's start from the left;
// SS leaves the start leftwards; FF enters the finish from the right; SF both. When the way in
// lies behind the way out (an overlap, a lead) the route drops to the row boundary and doubles
// back instead of crossing the bars.

const STUB = 8;
const HEAD = 5;

/** Where a link leaves and enters: out/in are "start" or "finish". */
export const ENDS = {
  FS: ["finish", "start"],
  SS: ["start", "start"],
  FF: ["finish", "finish"],
  SF: ["start", "finish"],
};

/**
 * p and s: {x1, x2, y} of the predecessor's and successor's bars (y = centre line);
 * rowHeight: the row pitch. Answers {d, head}: the line's and the arrowhead's SVG path data.
 */
export function route(p, s, type, rowHeight) {
  const [outEnd, inEnd] = ENDS[type] || ENDS.FS;
  const sx = outEnd === "finish" ? p.x2 : p.x1;
  const ex = inEnd === "start" ? s.x1 : s.x2;
  const outDir = outEnd === "finish" ? 1 : -1; // +1: leaves to the right
  const inDir = inEnd === "start" ? 1 : -1; // +1: arrives moving right
  const sy = p.y;
  const ey = s.y;
  const a = sx + outDir * STUB;
  const b = ex - inDir * STUB;
  let d;
  if (outDir !== inDir) {
    // SS: both ends face left, FF: both face right: one vertical outside both bars.
    const x = outDir < 0 ? Math.min(a, b) : Math.max(a, b);
    d = `M${sx} ${sy}H${x}V${ey}H${ex}`;
  } else if ((b - a) * inDir >= 0) {
    d = `M${sx} ${sy}H${a}V${ey}H${ex}`;
  } else {
    const turn = ey === sy ? sy + rowHeight / 2 : sy + (Math.sign(ey - sy) * rowHeight) / 2;
    d = `M${sx} ${sy}H${a}V${turn}H${b}V${ey}H${ex}`;
  }
  const head = `M${ex} ${ey}l${-inDir * HEAD} ${-HEAD * 0.8}v${HEAD * 1.6}z`;
  return { d, head };
}
