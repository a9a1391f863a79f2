// What each number means, in a sentence: shown a click (or a hover) away from the number.
// The definitions are the API's (docs/API.md); change them there first.

export function playRule(minimum) {
  return minimum === 0
    ? "Every playback counts as a play, even one that never got going."
    : `A playback counts as a play once it has watched at least ${minimum} s; shorter ones are left out of every number here except engagement's viewers.`;
}

export const DEFINITIONS = {
  plays:
    "Plays: playbacks (one video in one page load, no visitor is tracked) that watched at least the minimum set under 'What counts as a play'. A play is counted when it starts.",
  total_view_time: "Total view time: the seconds watched in all plays added up, rewatched parts counted again.",
  average_view_time: "Average view time per play: total view time divided by plays.",
  average_percent_watched:
    "Average % watched: how much of the video the plays saw. Each play counts for at most the whole video (a rewatch does not lift it past 100 %); videos of unknown length are left out.",
  watching:
    "Watching now: playbacks that are playing right now (paused ones are not), within a few seconds, across every server process.",
  peak:
    "Peak viewers: the most playbacks playing at once in the period, sampled at the start of every minute.",
  change:
    "Change against the comparison period: in percent of the earlier figure; for average % watched in percentage points (pp). '—' when the earlier period has no figure to compare with.",
  viewers:
    "Viewers of a range: playbacks that watched any part of that stretch of the video. With 'What counts as a play' above 0 s, only plays.",
  reached: "Share of plays: the viewers of a range as a share of all plays of the video in the period.",
  rewatches: "Rewatches: how often viewers came back to a range they had already watched.",
  drop_off: "Biggest drop-off: the range with the most viewers fewer than the range before it: where people stop.",
  most_rewatched: "Most re-watched: the range watched again most often.",
  plays_per_minute: "Plays per minute: plays that started in each minute. A playback is stored when it ends or at its first checkpoint (about 10 s in).",
};
