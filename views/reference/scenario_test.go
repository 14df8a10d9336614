package reference

import "github.com/agentpulse/agentpulse/schemas"

// scenario is the hand-computed voice data set of the performance tests
// (all on 2026-05-31, MinVolume 2):
//
//	agent team inquiry  interactions (handle, psat, pres)      AHT  psat pres  AES
//	a     T1   billing  (100,.8,.5) (300,.8,.5)                200  .8   .5    200/.4    = 500
//	a     T1   tech     (50,.9,.9)                             50   .9   .9    50/.81    = 61.728…
//	b     T1   billing  (100,1,1) ×2                           100  1    1     100
//	c     T2   billing  (200,.5,.5) ×2                         200  .5   .5    200/.25   = 800
//	c     T2   tech     (100,.5,1) ×3                          100  .5   1     100/.5    = 200
//	d     T2   billing  (400,.5,.5) ×2                         400  .5   .5    400/.25   = 1600
//
// Billing, every agent: AHT 1800/8 = 225, psat 5.6/8 = .7, pres 5/8 = .625,
// AES 225/.4375 = 514.2857142857143. Team T1 on billing (a, b): AHT 600/4 =
// 150, psat 3.6/4 = .9, pres 3/4 = .75, AES 150/.675 = 222.2…. The model's
// latest data is c5 at 13:30.
func scenario() []schemas.Interaction {
	return []schemas.Interaction{
		ix("a1", "a", "T1", "billing", "2026-05-31T08:00:00Z", 100, .8, .5),
		ix("a2", "a", "T1", "billing", "2026-05-31T09:00:00Z", 300, .8, .5),
		ix("a3", "a", "T1", "tech", "2026-05-31T10:00:00Z", 50, .9, .9),
		ix("b1", "b", "T1", "billing", "2026-05-31T08:30:00Z", 100, 1, 1),
		ix("b2", "b", "T1", "billing", "2026-05-31T09:30:00Z", 100, 1, 1),
		ix("c1", "c", "T2", "billing", "2026-05-31T08:10:00Z", 200, .5, .5),
		ix("c2", "c", "T2", "billing", "2026-05-31T08:20:00Z", 200, .5, .5),
		ix("c3", "c", "T2", "tech", "2026-05-31T11:00:00Z", 100, .5, 1),
		ix("c4", "c", "T2", "tech", "2026-05-31T12:00:00Z", 100, .5, 1),
		ix("c5", "c", "T2", "tech", "2026-05-31T13:30:00Z", 100, .5, 1),
		ix("d1", "d", "T2", "billing", "2026-05-31T10:10:00Z", 400, .5, .5),
		ix("d2", "d", "T2", "billing", "2026-05-31T10:20:00Z", 400, .5, .5),
	}
}
