package clickhouse

import (
	"fmt"
	"strings"

	"github.com/agentpulse/agentpulse/views"
)

// valueColumns are the value columns of a bucket part or rollup row
// (views.Sums field for field, the learned cells Lsat and Lres included),
// in the order of sumsDest and sumsRow.
var valueColumns = []string{"volume", "handle_sum", "psat_n", "psat_sum", "pres_n", "pres_sum",
	"lsat_n", "lsat_sum_p", "lsat_labels", "lsat_pos", "lsat_exp",
	"lres_n", "lres_sum_p", "lres_labels", "lres_pos", "lres_exp"}

// valueList is valueColumns as a column list.
var valueList = strings.Join(valueColumns, ", ")

// nonEmpty is the SQL condition of a row that is not empty
// (views.Sums.Empty): interactions or learned cells. The outcome
// learner's parts have learned cells and volume 0.
const nonEmpty = "(volume != 0 OR lsat_n != 0 OR lres_n != 0)"

// prefixedNonEmpty is nonEmpty over the aliases prefix+column.
func prefixedNonEmpty(prefix string) string {
	return fmt.Sprintf("(%[1]svolume != 0 OR %[1]slsat_n != 0 OR %[1]slres_n != 0)", prefix)
}

// sumsDest returns scan destinations for valueColumns into s.
func sumsDest(s *views.Sums) []any {
	return []any{&s.Volume, &s.HandleSum, &s.PsatN, &s.PsatSum, &s.PresN, &s.PresSum,
		&s.Lsat.N, &s.Lsat.SumP, &s.Lsat.Labels, &s.Lsat.Pos, &s.Lsat.Exp,
		&s.Lres.N, &s.Lres.SumP, &s.Lres.Labels, &s.Lres.Pos, &s.Lres.Exp}
}

// selectValues returns "fn(col) AS prefix+col" for every value column,
// joined by ", ". fn is a format with one %s for the column.
func selectValues(fn, prefix string) string {
	out := make([]string, len(valueColumns))
	for i, c := range valueColumns {
		out[i] = fmt.Sprintf(fn, c) + " AS " + prefix + c
	}
	return strings.Join(out, ", ")
}
