package metrics

import (
	"context"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/lectern/lectern/sfu"
)

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc("lectern_"+name, help, labels, nil)
}

var (
	dRooms        = desc("rooms", "Open media rooms.")
	dSFUParts     = desc("sfu_participants", "Media participants by direction (publish, subscribe).", "direction")
	dRoles        = desc("participants", "Joined WebSocket participants by role.", "role")
	dTracks       = desc("tracks", "Published tracks by kind.", "kind")
	dPackets      = desc("forwarded_packets_total", "RTP packets forwarded to subscribers.")
	dBytes        = desc("forwarded_bytes_total", "RTP bytes forwarded to subscribers.")
	dNACKs        = desc("nacks_received_total", "NACK packets received from subscribers.")
	dRTCPBad      = desc("rtcp_malformed_total", "Malformed RTCP packets from subscribers, dropped.")
	dPLIs         = desc("plis_sent_total", "Keyframe requests (PLI) sent to publishers.")
	dSwitches     = desc("layer_switches_total", "Simulcast layer switches made at a keyframe.")
	dFirstFrame   = desc("join_to_first_frame_seconds", "Time from a video subscription to its first forwarded keyframe.")
	dEstimates    = desc("subscriber_estimates", "Subscribing connections whose bandwidth estimate is at or below le bits per second, now.", "le")
	dEstimateSum  = desc("subscriber_estimates_sum_bps", "Sum of the subscribing connections' bandwidth estimates, bits per second.")
	dMessages     = desc("signaling_messages_total", "Signalling messages received by type.", "type")
	dPoolMax      = desc("db_pool_max_connections", "Database pool size.")
	dPoolOpen     = desc("db_pool_open_connections", "Open database connections.")
	dPoolInUse    = desc("db_pool_in_use_connections", "Database connections in use.")
	dPoolWaits    = desc("db_pool_waits_total", "Database connection acquisitions that waited.")
	dPoolWaitSecs = desc("db_pool_wait_seconds_total", "Time spent waiting for database connections.")
	dOrders       = desc("orders", "Orders by status.", "status")
	dRefunds      = desc("refunds", "Refunds by status.", "status")
	dScrapeErrors = desc("scrape_errors", "1 when a source could not be read at this scrape.", "source")
	dTURN         = desc("turn_allocations", "Live allocations on the embedded TURN server.")
	dRecActive    = desc("recordings_active", "Recordings being written.")
	dRecBytes     = desc("recording_bytes_written_total", "Bytes of media written to recordings.")
	dRecSegments  = desc("recording_segments_total", "HLS segments written to recordings.")
	dRecFailures  = desc("recording_failures_total", "Recordings that could not start or stopped early (disk full, write errors).")
)

// collector reads every source at scrape time.
type collector struct{ src Sources }

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{dRooms, dSFUParts, dRoles, dTracks, dPackets, dBytes, dNACKs, dRTCPBad, dPLIs, dSwitches, dFirstFrame,
		dEstimates, dEstimateSum, dMessages, dPoolMax, dPoolOpen, dPoolInUse, dPoolWaits, dPoolWaitSecs, dOrders, dRefunds, dScrapeErrors, dTURN,
		dRecActive, dRecBytes, dRecSegments, dRecFailures} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	if c.src.SFU != nil {
		s := c.src.SFU()
		gauge(dRooms, float64(s.Rooms))
		gauge(dSFUParts, float64(s.Publishing), "publish")
		gauge(dSFUParts, float64(s.Subscribing), "subscribe")
		for _, k := range []string{"audio", "video"} {
			gauge(dTracks, float64(s.Tracks[k]), k)
		}
		counter(dPackets, float64(s.PacketsForwarded))
		counter(dBytes, float64(s.BytesForwarded))
		counter(dNACKs, float64(s.NACKsReceived))
		counter(dRTCPBad, float64(s.RTCPMalformed))
		counter(dPLIs, float64(s.PLIsSent))
		counter(dSwitches, float64(s.LayerSwitches))
		buckets := make(map[float64]uint64, len(sfu.FirstFrameBuckets))
		for i, b := range sfu.FirstFrameBuckets {
			buckets[b] = s.FirstFrameCounts[i]
		}
		ch <- prometheus.MustNewConstHistogram(dFirstFrame, s.FirstFrameCount, s.FirstFrameSum, buckets)
		// A snapshot of the estimates as gauges per bound (a gauge
		// histogram): they move both ways between scrapes.
		for i, b := range sfu.EstimateBuckets {
			gauge(dEstimates, float64(s.EstimateCounts[i]), strconv.FormatFloat(b, 'g', -1, 64))
		}
		gauge(dEstimates, float64(s.EstimateCount), "+Inf")
		gauge(dEstimateSum, s.EstimateSum)
	}
	if c.src.ParticipantsByRole != nil {
		for role, n := range c.src.ParticipantsByRole() {
			gauge(dRoles, float64(n), role)
		}
	}
	if c.src.Messages != nil {
		for typ, n := range c.src.Messages() {
			counter(dMessages, float64(n), typ)
		}
	}
	if c.src.Pool != nil {
		p := c.src.Pool()
		gauge(dPoolMax, float64(p.Max))
		gauge(dPoolOpen, float64(p.Open))
		gauge(dPoolInUse, float64(p.InUse))
		counter(dPoolWaits, float64(p.Waits))
		counter(dPoolWaitSecs, p.WaitSeconds)
	}
	if c.src.Billing != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		orders, refunds, err := c.src.Billing(ctx)
		cancel()
		failed := 0.0
		if err != nil {
			failed = 1
		}
		gauge(dScrapeErrors, failed, "billing")
		for st, n := range orders {
			gauge(dOrders, float64(n), st)
		}
		for st, n := range refunds {
			gauge(dRefunds, float64(n), st)
		}
	}
	if c.src.TURNAllocations != nil {
		gauge(dTURN, float64(c.src.TURNAllocations()))
	}
	if c.src.Recorder != nil {
		r := c.src.Recorder()
		gauge(dRecActive, float64(r.Active))
		counter(dRecBytes, float64(r.Bytes))
		counter(dRecSegments, float64(r.Segments))
		counter(dRecFailures, float64(r.Failures))
	}
}
