package simulator

import "math"

// hourIntensity is the relative arrival intensity by local hour, 1 at the
// late-morning peak: quiet at night, a dip at lunch, a second peak early in
// the afternoon, a long evening tail.
var hourIntensity = [24]float64{
	0.06, 0.04, 0.03, 0.03, 0.04, 0.08, 0.20, 0.45, 0.75, 0.92, 1.00, 0.97,
	0.82, 0.90, 0.95, 0.85, 0.70, 0.52, 0.38, 0.28, 0.20, 0.15, 0.11, 0.08,
}

// weekdayIntensity scales hourIntensity by local weekday (time.Weekday
// order, Sunday first): Monday is busiest, weekends are light.
var weekdayIntensity = [7]float64{0.35, 1.10, 1.00, 1.00, 0.97, 0.92, 0.45}

// Occupancy bounds: the share of logged-in time an agent spends handling
// contacts. targetOccupancy is reached at the reference hour (Wednesday
// 10:00), a typical planning target; no hour exceeds maxOccupancy.
const (
	targetOccupancy = 0.75
	maxOccupancy    = 0.90
	minOccupancy    = 0.08
)

// occupancyTable[weekday][hour] is the occupancy of an agent on shift. The
// contact center's volume follows the arrival curves where staffing allows:
// load = arrivals ÷ agents on shift, scaled so that the reference hour sits
// at targetOccupancy. Thinly staffed hours (nights, weekends) saturate at
// maxOccupancy, so their volume follows staffing instead.
var occupancyTable = func() (occ [7][24]float64) {
	var hourCover [24]float64
	total := 0.0
	for s, w := range shiftStartWeights {
		total += w
		for h := range 24 {
			// overlap of the shift [s, s+length) with hour [h, h+1), modulo a day
			for _, day := range []float64{0, 24} {
				lo := math.Max(float64(h)+day, float64(s))
				hi := math.Min(float64(h)+day+1, float64(s)+shiftLength/3600.0)
				if hi > lo {
					hourCover[h] += w * (hi - lo)
				}
			}
		}
	}
	var dayCover [7]float64
	for i, p := range workPatterns {
		for d := range 7 {
			if p&(1<<d) != 0 {
				dayCover[d] += workPatternWeights[i]
			}
		}
	}
	load := func(d, h int) float64 {
		return hourIntensity[h] * weekdayIntensity[d] / (hourCover[h] / total * dayCover[d])
	}
	ref := load(3, 10)
	for d := range 7 {
		for h := range 24 {
			occ[d][h] = math.Min(maxOccupancy, math.Max(minOccupancy, targetOccupancy*load(d, h)/ref))
		}
	}
	return occ
}()

// occupancy returns the occupancy at a local time given as seconds since
// the Unix epoch on the tenant's clock.
func occupancy(local int64) float64 {
	day := floorDiv(local, 86400)
	return occupancyTable[weekday(day)][(local-day*86400)/3600]
}

// idleMean returns the mean wait in seconds for the next contact of model
// m at occupancy occ: the busier the hour, the shorter the wait.
func idleMean(m *model, occ float64) float64 {
	return m.meanWork * (1/occ - 1)
}

// weekday returns the time.Weekday number (Sunday = 0) of a day counted
// from the Unix epoch (a Thursday).
func weekday(day int64) int { return int(((day+4)%7 + 7) % 7) }

// floorDiv is integer division rounding towards minus infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
