package roster

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/agentpulse/agentpulse/auth"
)

// Bulk import (POST /v1/roster/import): a JSON array of people or a CSV
// file, checked row by row before anything is written.

// Import limits.
const (
	// MaxImportBytes bounds an import's body: 100,000 people of ~80
	// bytes fit.
	MaxImportBytes = 16 << 20
	// MaxRowErrors is how many row errors an answer lists (it says how
	// many there were).
	MaxRowErrors = 100
	// TeamSeparator separates a CSV row's teams.
	TeamSeparator = ";"
)

// ImportColumns are the CSV header's columns: subject and role required,
// in any order.
var ImportColumns = []string{"subject", "name", "role", "teams"}

// RowError is one problem of an import: Row is the person's position, 1
// for the first (in a CSV file the first line after the header), Field
// the column or JSON field, Error the rule broken.
type RowError struct {
	Row   int    `json:"row"`
	Field string `json:"field"`
	Error string `json:"error"`
}

// ImportPerson is one element of a JSON import.
type ImportPerson struct {
	Subject string   `json:"subject"`
	Name    string   `json:"name"`
	Role    string   `json:"role"`
	Teams   []string `json:"teams"`
}

// ParseImport reads an import body: CSV when csv is true, else a JSON
// array. It returns the people in order, or every row error found (an
// error of the whole body, such as a CSV header without a role column,
// is row 0). A subject twice is an error of its second row; more than
// maxPeople rows is an error of the first row past it.
func ParseImport(b []byte, csv bool, maxPeople int) ([]Person, []RowError) {
	var people []Person
	var errs []RowError
	if csv {
		people, errs = parseCSV(b, maxPeople)
	} else {
		people, errs = parseJSON(b, maxPeople)
	}
	if len(errs) > 0 && errs[0].Row == 0 {
		return nil, errs
	}
	seen := make(map[string]int, len(people))
	for i, p := range people {
		if p.Subject == "" {
			continue // a row already in error
		}
		if first, ok := seen[p.Subject]; ok {
			errs = append(errs, RowError{Row: i + 1, Field: "subject", Error: fmt.Sprintf("subject %s is also on row %d: each person once", p.Subject, first)})
			continue
		}
		seen[p.Subject] = i + 1
	}
	if len(errs) > 0 {
		slices.SortStableFunc(errs, func(a, b RowError) int { return a.Row - b.Row })
		return nil, errs
	}
	if len(people) == 0 {
		return nil, []RowError{{Row: 0, Field: "body", Error: "the import lists nobody"}}
	}
	return people, nil
}

// checkRow turns one row's cells into a person, or its errors (every
// field's, not only the first).
func checkRow(row int, in ImportPerson) (Person, []RowError) {
	p := Person{Subject: strings.TrimSpace(in.Subject), Name: strings.TrimSpace(in.Name), Role: auth.Role(strings.TrimSpace(in.Role))}
	for _, t := range in.Teams {
		if t = strings.TrimSpace(t); t != "" {
			p.Teams = append(p.Teams, t)
		}
	}
	var errs []RowError
	// Person.Check reports the first problem; check each field alone so
	// that a row lists all of its problems.
	for _, probe := range []Person{
		{Subject: p.Subject, Role: auth.RoleAgent},
		{Subject: "x", Name: p.Name, Role: auth.RoleAgent},
		{Subject: "x", Role: p.Role},
		{Subject: "x", Role: p.Role, Teams: p.Teams},
	} {
		if field, msg := probe.Check(); field != "" && !slices.ContainsFunc(errs, func(e RowError) bool { return e.Field == field }) {
			errs = append(errs, RowError{Row: row, Field: field, Error: msg})
		}
	}
	if len(errs) > 0 {
		return Person{Subject: ""}, errs
	}
	slices.Sort(p.Teams)
	p.Teams = slices.Compact(p.Teams)
	return p, nil
}

func parseJSON(b []byte, maxPeople int) ([]Person, []RowError) {
	var raw []json.RawMessage
	d := json.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(&raw); err != nil {
		return nil, []RowError{{Field: "body", Error: "the body is not a JSON array of people: " + err.Error()}}
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return nil, []RowError{{Field: "body", Error: "trailing data after the JSON array"}}
	}
	var people []Person
	var errs []RowError
	for i, m := range raw {
		row := i + 1
		if row > maxPeople {
			errs = append(errs, RowError{Row: row, Field: "body", Error: fmt.Sprintf("at most %d people per tenant", maxPeople)})
			break
		}
		var in ImportPerson
		if err := strictDecode(m, &in); err != nil {
			errs = append(errs, RowError{Row: row, Field: jsonField(err), Error: "not a person object {subject, name, role, teams}: " + err.Error()})
			people = append(people, Person{})
			continue
		}
		p, perr := checkRow(row, in)
		errs = append(errs, perr...)
		people = append(people, p)
	}
	return people, errs
}

// jsonField names the field a decoding error is about, else "body".
func jsonField(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return te.Field
	}
	if msg := err.Error(); strings.HasPrefix(msg, `json: unknown field "`) {
		if f := strings.TrimSuffix(strings.TrimPrefix(msg, `json: unknown field "`), `"`); f != "" {
			return f
		}
	}
	return "body"
}

func parseCSV(b []byte, maxPeople int) ([]Person, []RowError) {
	if !utf8.Valid(b) {
		return nil, []RowError{{Field: "body", Error: "the CSV file is not UTF-8 text"}}
	}
	b = bytes.TrimPrefix(b, []byte("\ufeff")) // a spreadsheet's byte order mark
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1 // checked here, with the row named
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err != nil {
		return nil, []RowError{{Field: "body", Error: "the CSV file has no header line (" + strings.Join(ImportColumns, ",") + "): " + csvReason(err)}}
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case !slices.Contains(ImportColumns, h):
			return nil, []RowError{{Field: "header", Error: fmt.Sprintf("column %d %q is not one of %s", i+1, h, strings.Join(ImportColumns, ", "))}}
		case col[h] != 0:
			return nil, []RowError{{Field: "header", Error: fmt.Sprintf("column %q appears twice", h)}}
		}
		col[h] = i + 1
	}
	for _, need := range []string{"subject", "role"} {
		if col[need] == 0 {
			return nil, []RowError{{Field: "header", Error: fmt.Sprintf("the header has no %q column (columns: %s; subject and role are required)", need, strings.Join(ImportColumns, ", "))}}
		}
	}
	cell := func(rec []string, name string) string {
		if i := col[name]; i > 0 && i <= len(rec) {
			return rec[i-1]
		}
		return ""
	}
	var people []Person
	var errs []RowError
	for row := 1; ; row++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs = append(errs, RowError{Row: row, Field: "body", Error: "not CSV: " + csvReason(err)})
			break // the reader cannot resynchronise after a broken quote
		}
		if row > maxPeople {
			errs = append(errs, RowError{Row: row, Field: "body", Error: fmt.Sprintf("at most %d people per tenant", maxPeople)})
			break
		}
		if len(rec) != len(header) {
			errs = append(errs, RowError{Row: row, Field: "body", Error: fmt.Sprintf("%d cells, the header has %d columns", len(rec), len(header))})
			people = append(people, Person{})
			continue
		}
		in := ImportPerson{Subject: cell(rec, "subject"), Name: cell(rec, "name"), Role: cell(rec, "role")}
		if t := cell(rec, "teams"); strings.TrimSpace(t) != "" {
			in.Teams = strings.Split(t, TeamSeparator)
		}
		p, perr := checkRow(row, in)
		errs = append(errs, perr...)
		people = append(people, p)
	}
	return people, errs
}

// csvReason is a csv error without the reader's line prefix (rows are
// named by the caller).
func csvReason(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
