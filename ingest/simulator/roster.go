package simulator

import (
	"fmt"
	"math"
)

// Salts keep the random streams of different purposes apart.
const (
	saltTeam uint64 = iota + 1
	saltAgent
	saltShift
	saltFault
	saltOutcomeSkew
)

// outcomeSpread is the standard deviation, in skill units, of an agent's
// outcome propensity per model and inquiry apart from speed: how much
// better or worse its customers fare (satisfied, resolved) than its
// handle times suggest. Without it one skill drives both, and the true AES
// is ranked by AHT alone (Spearman 0.99), so no learned outcome could add
// to AHT; with it, outcomes vary between agents as much as speed does.
const outcomeSpread = 1.5

// Tenant is one simulated contact-center organisation.
type Tenant struct {
	// ID is the tenant_id of its records ("acme", "globex", …).
	ID string
	// UTCOffsetHours is the fixed offset of the tenant's local clock, which
	// its arrival curve and its agents' shifts follow (no daylight saving).
	UTCOffsetHours int
	// Agents lists the tenant's agents; Agents[i].Index == i.
	Agents []Agent
}

// Agent is one simulated agent: identity plus the hidden traits that shape
// their records. Exposed so tests and demos can check that the figures
// computed from the records find what was planted.
type Agent struct {
	// AgentID and TeamID are the ids on the agent's records; the team never
	// changes during the period.
	AgentID, TeamID string
	// Index is the agent's position in Tenant.Agents.
	Index int
	// Models names the models the agent works, the team's primary first.
	Models []string
	// SecondaryShare is the fraction of contacts taken on Models[1] (zero
	// when the agent works one model).
	SecondaryShare float64
	// Skill is the agent's base skill at the start of the period on a
	// standard-normal scale: 0 is average, +1 one standard deviation better
	// (shorter handle time, higher satisfaction and resolution).
	Skill float64
	// Trend is the skill the agent gains by the end of the period along a
	// smooth S-curve: positive for agents who improve, negative for a few
	// who slip, zero for most.
	Trend float64
	// ShiftStartHour is the usual local start of the agent's 8.5-hour
	// shift (breaks included); days vary by a few minutes.
	ShiftStartHour float64
	// WorkDays is a bit set over time.Weekday of the local days the agent
	// works (1<<time.Monday | …); absences are drawn per day.
	WorkDays uint8

	models      [2]int      // catalogue indexes; models[1] valid if SecondaryShare > 0
	inquirySkew [][]float64 // per catalogue model, per inquiry: skill offset
	outcomeSkew [][]float64 // per catalogue model, per inquiry: outcome offset (outcomeSpread)
}

// outcomeSkill is the skill the agent's outcomes (satisfaction,
// resolution) on model mi and inquiry qi follow, given the skill its
// handle times follow there.
func (a *Agent) outcomeSkill(skill float64, mi, qi int) float64 {
	return skill + a.outcomeSkew[mi][qi]
}

// SkillAt returns the agent's base skill after the share p (0..1) of the
// period has passed, before per-inquiry offsets.
func (a *Agent) SkillAt(p float64) float64 {
	p = math.Min(1, math.Max(0, p))
	return a.Skill + a.Trend*p*p*(3-2*p)
}

// weekly work patterns, as Weekday bit sets, and how often each is used.
var (
	workPatterns = []uint8{
		weekdays(1, 2, 3, 4, 5), // Monday to Friday
		weekdays(0, 1, 2, 3, 4), // Sunday to Thursday
		weekdays(2, 3, 4, 5, 6), // Tuesday to Saturday
		weekdays(3, 4, 5, 6, 0), // Wednesday to Sunday
	}
	workPatternWeights = []float64{0.72, 0.09, 0.10, 0.09}
)

func weekdays(days ...int) uint8 {
	var set uint8
	for _, d := range days {
		set |= 1 << d
	}
	return set
}

// shiftStartWeights weights each local hour as a usual shift start: most
// agents start between 7 and 10 so staffing peaks late morning and early
// afternoon; a late shift covers the evening and a few agents work nights.
var shiftStartWeights = [24]float64{
	6: 4, 7: 14, 8: 24, 9: 19, 10: 12, 11: 8, 12: 6, 13: 4, 14: 3, 15: 2, 22: 2, 23: 1,
}

// buildTenants creates every tenant's teams and agents from cfg.Seed; the
// roster depends only on Seed, Agents, Tenants and TeamSize.
func buildTenants(cfg Config) []Tenant {
	tenants := make([]Tenant, cfg.Tenants)
	for t := range tenants {
		tenants[t] = Tenant{
			ID:             tenantID(t),
			UTCOffsetHours: tenantOffsets[t%len(tenantOffsets)],
			Agents:         buildAgents(cfg, t, cfg.Agents),
		}
	}
	return tenants
}

// buildAgents creates the n agents of tenant t, in teams of at most
// cfg.TeamSize whose sizes differ by at most one. A team works one primary
// model (teams are organised by channel); some agents also take a second.
func buildAgents(cfg Config, t, n int) []Agent {
	seed := uint64(cfg.Seed)
	teams := (n + cfg.TeamSize - 1) / cfg.TeamSize
	width := len(fmt.Sprint(n))
	width = max(width, 4)
	agents := make([]Agent, 0, n)
	var r rng
	for team := range teams {
		r.reset(derive(seed, saltTeam, uint64(t), uint64(team)))
		primary := r.pick(modelShares)
		teamID := fmt.Sprintf("team-%0*d", max(len(fmt.Sprint(teams)), 2), team+1)
		for range teamSize(n, teams, team) {
			i := len(agents)
			r.reset(derive(seed, saltAgent, uint64(t), uint64(i)))
			a := Agent{
				AgentID:        fmt.Sprintf("agent-%0*d", width, i+1),
				TeamID:         teamID,
				Index:          i,
				Skill:          r.norm(),
				ShiftStartHour: float64(r.pick(shiftStartWeights[:])) + 0.25*float64(r.intn(4)),
				WorkDays:       workPatterns[r.pick(workPatternWeights)],
			}
			a.models[0] = primary
			if r.float64() < 0.35 {
				a.models[1] = (primary + 1 + r.intn(len(catalogue)-1)) % len(catalogue)
				a.SecondaryShare = r.uniform(0.15, 0.4)
			}
			switch u := r.float64(); {
			case u < 0.25:
				a.Trend = r.uniform(0.5, 1.3)
			case u < 0.33:
				a.Trend = -r.uniform(0.2, 0.6)
			}
			a.Models = []string{catalogue[primary].name}
			if a.SecondaryShare > 0 {
				a.Models = append(a.Models, catalogue[a.models[1]].name)
			}
			a.inquirySkew = make([][]float64, len(catalogue))
			for m := range catalogue {
				skew := make([]float64, len(catalogue[m].inquiries))
				for q := range skew {
					skew[q] = 0.45 * r.norm()
				}
				a.inquirySkew[m] = skew
			}
			// A stream of its own, so every draw above is unchanged.
			var ro rng
			ro.reset(derive(seed, saltOutcomeSkew, uint64(t), uint64(i)))
			a.outcomeSkew = make([][]float64, len(catalogue))
			for m := range catalogue {
				skew := make([]float64, len(catalogue[m].inquiries))
				for q := range skew {
					skew[q] = outcomeSpread * ro.norm()
				}
				a.outcomeSkew[m] = skew
			}
			agents = append(agents, a)
		}
	}
	return agents
}

// teamSize returns the size of team i when n agents form k teams as equal
// as possible, earlier teams taking the remainder.
func teamSize(n, k, i int) int {
	size := n / k
	if i < n%k {
		size++
	}
	return size
}
