-- The pack's headline figures (SPEC §6, all suites, no previous period, no exceptions) as one
-- hand-written PostgreSQL statement: the yardstick the pack is timed against.
-- :start and :end bound arrived_at (UTC instants); :target is AA_TARGET_MINUTES.
WITH population AS (
    SELECT id, arrived_at, released_at, status, has_needs, overnight
    FROM detentions
    WHERE arrived_at >= :start AND arrived_at < :end
),
first_aa AS (
    SELECT r.detention_id, min(r.requested_at) AS requested_at, min(r.arrived_at) AS arrived_at
    FROM aa_requests r JOIN population p ON p.id = r.detention_id
    GROUP BY r.detention_id
),
per_child AS (
    SELECT p.*,
           extract(epoch FROM a.requested_at - p.arrived_at) / 60 AS to_request,
           extract(epoch FROM a.arrived_at - p.arrived_at) / 60 AS to_arrival,
           extract(epoch FROM p.released_at - p.arrived_at) / 3600 AS hours,
           EXISTS (SELECT 1 FROM referrals f WHERE f.detention_id = p.id
                   AND f.service = 'childrens_social_care') AS referred
    FROM population p LEFT JOIN first_aa a ON a.detention_id = p.id
)
SELECT
    count(*) AS children_detained,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY to_request) AS aa_request_median,
    percentile_disc(0.9) WITHIN GROUP (ORDER BY to_request) AS aa_request_p90,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY to_arrival) AS aa_arrival_median,
    percentile_disc(0.9) WITHIN GROUP (ORDER BY to_arrival) AS aa_arrival_p90,
    max(to_arrival) AS aa_arrival_max,
    100.0 * count(*) FILTER (WHERE to_arrival <= :target) / nullif(count(*), 0) AS aa_within_target_pct,
    count(*) FILTER (WHERE status = 'released' AND to_arrival IS NULL) AS released_without_aa,
    count(*) FILTER (WHERE has_needs) AS needs_flagged,
    100.0 * count(*) FILTER (WHERE has_needs AND referred)
        / nullif(count(*) FILTER (WHERE has_needs), 0) AS needs_flagged_referred_pct,
    count(*) FILTER (WHERE overnight) AS overnight,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY hours) AS hours_median,
    percentile_disc(0.9) WITHIN GROUP (ORDER BY hours) AS hours_p90,
    (SELECT row(percentile_cont(0.5) WITHIN GROUP (ORDER BY m), percentile_disc(0.9) WITHIN GROUP (ORDER BY m))::text
     FROM (SELECT extract(epoch FROM r.arrived_at - r.requested_at) / 60 AS m
           FROM aa_requests r JOIN population p ON p.id = r.detention_id
           WHERE r.arrived_at IS NOT NULL) responses) AS aa_response_median_p90,
    (SELECT count(*) FROM reviews v JOIN population p ON p.id = v.detention_id) AS reviews_total,
    (SELECT row(count(*) FILTER (WHERE v.mode = 'in_person'), count(*) FILTER (WHERE v.aa_present),
                count(*) FILTER (WHERE v.held_at > v.due_at))::text
     FROM reviews v JOIN population p ON p.id = v.detention_id) AS reviews_in_person_aa_present_late,
    (SELECT row(count(*) FILTER (WHERE c.bail = 'refused'),
                count(*) FILTER (WHERE c.bail = 'refused' AND EXISTS (
                    SELECT 1 FROM accommodation_requests q
                    WHERE q.detention_id = c.detention_id AND q.transferred_at IS NOT NULL)))::text
     FROM charges c JOIN population p ON p.id = c.detention_id) AS bail_refused_transferred,
    (SELECT row(count(DISTINCT q.detention_id), count(DISTINCT q.detention_id) FILTER (WHERE q.type = 'secure'),
                count(DISTINCT q.detention_id) FILTER (WHERE q.type = 'non_secure'))::text
     FROM accommodation_requests q JOIN population p ON p.id = q.detention_id) AS accommodation,
    (SELECT count(*) FROM certificates c JOIN population p ON p.id = c.detention_id) AS certificates,
    (SELECT count(*) FROM strip_searches s JOIN population p ON p.id = s.detention_id) AS strip_searches,
    (SELECT count(*) FROM strip_searches s JOIN population p ON p.id = s.detention_id
     WHERE NOT s.aa_present) AS strip_searches_without_aa,
    (SELECT row(count(*) FILTER (WHERE m.sent_at IS NOT NULL),
                count(*) FILTER (WHERE m.status IN ('failed', 'undelivered')),
                count(*) FILTER (WHERE m.acknowledged_at IS NOT NULL),
                percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM m.acknowledged_at - m.sent_at) / 60))::text
     FROM messages m JOIN population p ON p.id = m.detention_id) AS sms
FROM per_child
