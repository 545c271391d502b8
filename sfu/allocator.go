package sfu

// The allocator divides one subscriber's bandwidth estimate among the
// tracks it receives. Audio always goes first; then video in rank order
// (screen share, then the cameras of higher-priority participants such as
// the teacher, then the others). Every visible video first gets its lowest
// layer if that fits, so that one high-resolution track cannot starve the
// rest; then, again in rank order, each is raised to the highest layer
// that still fits and that its display size needs. A video whose lowest
// layer does not fit is paused.
//
// Hysteresis: raising a track above the layer it has now needs upHeadroom
// times the extra cost, so that an estimate hovering at a layer's cost
// does not flap between two layers; keeping a layer needs only its cost.

// upHeadroom is the margin an upgrade needs over its cost.
const upHeadroom = 1.15

// allocItem is one received track as the allocator sees it.
type allocItem struct {
	audio bool
	// rates[i] is what layer i costs in bits per second; 0: the track
	// has no layer i.
	rates [maxLayers]int
	// max is the highest layer worth sending (adaptive stream);
	// layerNone: the client hides the track.
	max int
	// cur is the layer chosen last time, layerNone if none.
	cur int
}

// lowest returns the lowest layer the item has at or below its max.
func (it *allocItem) lowest() int {
	for i := 0; i <= it.max && i < maxLayers; i++ {
		if it.rates[i] > 0 {
			return i
		}
	}
	return layerNone
}

// best returns the highest layer the item has at or below its max.
func (it *allocItem) best() int {
	for i := min(it.max, maxLayers-1); i >= 0; i-- {
		if it.rates[i] > 0 {
			return i
		}
	}
	return layerNone
}

// allocate chooses a layer for each item (sorted by rank, first first)
// within budget bits per second and writes it to out; it returns what the
// choice costs.
func allocate(budget int, items []allocItem, out []int) int {
	left := budget
	for i := range items {
		it := &items[i]
		out[i] = layerNone
		if it.audio {
			out[i] = 0
			left -= it.rates[0]
		}
	}
	// Every visible video its lowest layer, in rank order.
	for i := range items {
		it := &items[i]
		if it.audio {
			continue
		}
		lo := it.lowest()
		if lo == layerNone {
			continue
		}
		need := it.rates[lo]
		if it.cur == layerNone {
			need = int(float64(need) * upHeadroom)
		}
		if need <= left {
			out[i] = lo
			left -= it.rates[lo]
		}
	}
	// Then each as high as fits, in rank order.
	for i := range items {
		it := &items[i]
		if it.audio || out[i] == layerNone {
			continue
		}
		for l := it.best(); l > out[i]; l-- {
			if it.rates[l] == 0 {
				continue
			}
			extra := it.rates[l] - it.rates[out[i]]
			need := extra
			if l > it.cur {
				need = int(float64(it.rates[l])*upHeadroom) - it.rates[out[i]]
			}
			if need <= left {
				left -= extra
				out[i] = l
				break
			}
		}
	}
	return budget - left
}

// nextStep returns the least extra bandwidth that would raise one video
// above its allocated layer towards what it wants (0: every video has what
// it wants).
func nextStep(items []allocItem, out []int) int {
	step := 0
	for i := range items {
		it := &items[i]
		if it.audio || out[i] >= it.best() {
			continue
		}
		for l := out[i] + 1; l < maxLayers && l <= it.max; l++ {
			if l < 0 || it.rates[l] == 0 {
				continue
			}
			d := it.rates[l]
			if out[i] >= 0 {
				d -= it.rates[out[i]]
			}
			if step == 0 || d < step {
				step = d
			}
			break
		}
	}
	return step
}
