// A small fuzzy matcher for the command palette: every character of the query must appear in
// order in the text; contiguous runs, word starts and matches in the label score higher.

/** Score `query` against `text` (both lower-cased by the caller); -1 when it does not match. */
export function fuzzyScore(query, text) {
  if (!query) return 0;
  let score = 0;
  let ti = 0;
  let run = 0;
  for (let qi = 0; qi < query.length; qi++) {
    const ch = query[qi];
    if (ch === " ") {
      run = 0;
      continue;
    }
    const found = text.indexOf(ch, ti);
    if (found === -1) return -1;
    const wordStart = found === 0 || /[\s\-_/·.]/.test(text[found - 1]);
    run = found === ti ? run + 1 : 1;
    score += 1 + run * 2 + (wordStart ? 6 : 0) - Math.min(found - ti, 8) * 0.25;
    ti = found + 1;
  }
  return score;
}

/** Best score of `query` over a command: its label counts double, keywords and group once. */
export function scoreCommand(query, command) {
  const q = query.trim().toLowerCase();
  if (!q) return 0;
  const label = (command.label || "").toLowerCase();
  const rest = `${command.keywords || ""} ${command.group || ""}`.toLowerCase();
  const inLabel = fuzzyScore(q, label);
  const inAll = fuzzyScore(q, `${label} ${rest}`);
  let best = Math.max(inLabel >= 0 ? inLabel * 2 : -1, inAll);
  if (best >= 0 && label.startsWith(q)) best += 50;
  else if (best >= 0 && label.includes(q)) best += 25;
  return best;
}

/** Filter and group commands: [{name, items: [{...command, index}]}], groups in first-seen order. */
export function searchCommands(query, commands, limit = 50) {
  const scored = [];
  commands.forEach((command, order) => {
    const score = scoreCommand(query, command);
    if (score >= 0) scored.push({ command, score, order });
  });
  if (query.trim()) scored.sort((a, b) => b.score - a.score || a.order - b.order);
  const groups = [];
  const byName = new Map();
  for (const { command } of scored.slice(0, limit)) {
    const name = command.group || "Commands";
    let group = byName.get(name);
    if (!group) {
      group = { name, items: [] };
      byName.set(name, group);
      groups.push(group);
    }
    group.items.push(command);
  }
  // Number the items in display order so arrow keys walk the list top to bottom.
  let index = 0;
  for (const group of groups) {
    group.items = group.items.map((command) => ({ ...command, index: index++, domId: `palette-item-${index}` }));
  }
  return { groups, count: index };
}
