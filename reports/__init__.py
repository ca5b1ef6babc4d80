"""The fortnightly performance pack (SPEC §6): what each figure means, exactly.

Population: detentions whose `arrived_at` falls from `from` 00:00 to the end of `to`, local days
in the service's zone (DEFAULT_TIMEZONE, Europe/London), both days included, optionally one suite.
Midnight is taken in the offset of that day, so a fortnight that holds the October change is
337 real hours long and one that holds the March change 335. A child detained twice counts twice:
the system has no identity for a child beyond the detention.

Numbers: durations in minutes (hours for `hours_in_custody`), between UTC instants, so correct
across the clock changes; medians are the usual median (the mean of the two middle values for an
even count); p90 is nearest-rank, the value at rank ⌈0.9·n⌉ of the sorted values; percentages are
0-100. All are rounded half-up to one decimal, and any figure over an empty set is null (a count
over an empty set is 0; a percentage whose base is 0 is null).

Where SPEC §6 leaves room, the pack does what a performance manager expects:
- minutes_to_aa_request / minutes_to_aa_arrival: per detention, from arrival at the suite to its
  earliest AA request (cancelled ones included: the request was made) / earliest AA arrival.
  Detentions without one are left out of the distribution, not counted as zero.
- aa_response_minutes: per attended request, its own arrival minus its own request.
- aa_within_target_pct: of ALL detentions in the population, those with an AA arrival within
  AA_TARGET_MINUTES (inclusive) of arrival. A child released before any AA came counts against it:
  that is the failure the inspection found.
- released_without_aa: released, no AA arrival on any request.
- reviews_*: over reviews held for the population's detentions; `late` = held after its due time.
  `reviews_by_mode` (in_person, video, telephone counts) is added for the chart. A review that
  was never held because the child was released after it fell due is not a review: it appears
  among the exceptions as `review_late`.
- needs_flagged_referred_pct: of detentions with any need, those with any children's social care
  referral.
- overnight: the flag fixed at release (SPEC §3.8); a child still in custody when the pack is
  made counts if already held 4 hours of a night (as of the time of asking).
- charged_bail_refused, certificates: detentions with such a charge / certificate.
  accommodation_requested / _secure / _non_secure: detentions with at least one such request
  (a child with both kinds counts in each). transferred: detentions refused bail with a request
  that has `transferred_at`, so transferred_pct = transferred / charged_bail_refused ≤ 100.
- strip_searches, strip_searches_without_aa: searches, not children.
- hours_in_custody: released detentions only.
- sms, over texts about the population's children: `sent` = handed to the provider (`sent_at`
  recorded, whatever delivery said later), `failed` = status failed or undelivered (the board
  shows them), `acknowledged` = `acknowledged_at` recorded, `median_ack_minutes` = median of
  acknowledged_at − sent_at.
- by_suite: the same figures for each suite (every suite, with zeros, so meetings see all three);
  previous_period: the same figures, with `from`/`to`, for the equally long period just before
  (not split by suite, no exceptions).
- exceptions, one row per breach, grouped by kind, longest first:
  aa_late: the AA arrived more than AA_TARGET_MINUTES after arrival (minutes to AA), or the child
  is still in custody and still waiting (minutes waited so far); no_aa: released with no AA arrival
  (minutes in custody); review_late: a review held after its due time (minutes late), or the next
  review already overdue at release (minutes from its due time to release); not_transferred:
  bail refused, never transferred (minutes held after charge, to release or so far); overnight
  (minutes in custody); strip_search_without_aa (minutes null), one per search.
"""
