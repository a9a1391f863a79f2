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
  play_rate:
    "Play rate: of the players shown with a video (impressions, sent by this server's snippet), the share that became a play. Pages on the published @maveio/metrics client send no impressions and are left out of it.",
  completion_rate: "Completion rate: the share of plays that played to within 2 s of the video's end (or to its end event).",
  retention:
    "Retention: the share of plays whose furthest position went past the start of the range, seeks included; it never rises along the video.",
  views:
    "Views: sessions with a play intent (a play, or autoplay) on pages using this server's snippet. Every quality figure is over them; sessions from the published @maveio/metrics client carry no quality events and are not counted.",
  startup_time_p50:
    "Startup time, median: from the play intent to the first frame with the playhead moving, paused time left out; half of the views that started took longer.",
  startup_time_p95: "Startup time, 95th percentile: 1 in 20 views that started waited longer than this.",
  rebuffer_percentage:
    "Rebuffering: the time the playhead stood still while it should have moved (1 s or more, or 250 ms counted when it resumed), in percent of the watch time. Seeking is never rebuffering.",
  rebuffer_frequency: "Rebuffer frequency: stalls per minute of watch time.",
  rebuffered_sessions_percentage: "Views with a stall: views that rebuffered at least once, in percent of the views.",
  playback_failure_percentage:
    "Playback failures: views that ended in a fatal error (a media error other than aborted, or a fatal hls.js or video.js error), before or after the first frame, in percent of the views.",
  startup_failure_percentage: "Startup failures: views whose fatal error came before the first frame, in percent of the views.",
  exits_before_start_percentage:
    "Exits before start: views with a play intent that never showed a first frame and never failed (the viewer gave up waiting), in percent of the views.",
  seek_latency: "Seek latency: the average time from seeking to playing again, per seek.",
  average_bitrate:
    "Average bitrate: the renditions' declared bitrate averaged over playing time, over the views whose player reports one (hls.js, video.js).",
  errors:
    "Fatal errors grouped by code and message (the message has its addresses, numbers and ids replaced in the browser). Sessions: sessions that ended in that error, viewed or not; first and last seen: the start of the first and last such session in the period.",
  quality_change:
    "The comparison period's own figure, as the API answers it for that period: a difference of percentages or of times is read from the two side by side.",
};
