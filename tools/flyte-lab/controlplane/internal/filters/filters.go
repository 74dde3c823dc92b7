// Package filters reads FlyteAdmin's list parameters: the filter expression of ResourceListRequest.filters
// ("eq(phase,SUCCEEDED)+gte(created_at,2024-01-01T00:00:00Z)+value_in(name,a;b)"), sort keys and pagination tokens
// (a token is the decimal offset of the next page, as FlyteAdmin's are).
//
// Records are matched through a Fields function that returns a record's value for a field name; the caller decides
// which field names exist for its kind of record (an unknown field is an InvalidArgument error, as in FlyteAdmin).
package filters

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Func is a filter function name.
type Func string

// The filter functions FlyteAdmin accepts.
const (
	Eq         Func = "eq"
	Ne         Func = "ne"
	Gt         Func = "gt"
	Gte        Func = "gte"
	Lt         Func = "lt"
	Lte        Func = "lte"
	Contains   Func = "contains"
	ValueIn    Func = "value_in"
	ValueNotIn Func = "value_not_in"
)

// Filter is one expression: Func(Field, Values...).
type Filter struct {
	Func   Func
	Field  string
	Values []string
}

var expr = regexp.MustCompile(`^(\w+)\(([\w.]+),(.*)\)$`)

// Parse reads a filter expression; "" gives no filters. Errors are gRPC InvalidArgument statuses.
func Parse(s string) ([]Filter, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var out []Filter
	for _, part := range splitTop(s) {
		m := expr.FindStringSubmatch(strings.TrimSpace(part))
		if m == nil {
			return nil, status.Errorf(codes.InvalidArgument, "invalid filter expression: %s", part)
		}
		f := Filter{Func: Func(m[1]), Field: m[2]}
		switch f.Func {
		case Eq, Ne, Gt, Gte, Lt, Lte, Contains:
			f.Values = []string{m[3]}
		case ValueIn, ValueNotIn:
			f.Values = strings.Split(m[3], ";")
		default:
			return nil, status.Errorf(codes.InvalidArgument, "unrecognized filter function: %s", m[1])
		}
		out = append(out, f)
	}
	return out, nil
}

// splitTop splits on "+" outside parentheses (values may contain "+" inside a time zone offset, e.g. +00:00).
func splitTop(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case '+':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}

// Fields returns a record's value for a field name; ok is false for a field the record kind does not have.
type Fields func(field string) (value string, ok bool)

// Match reports whether the record passes every filter. A field the record kind does not have is an InvalidArgument
// error naming it.
func Match(fs []Filter, fields Fields) (bool, error) {
	for _, f := range fs {
		v, ok := fields(f.Field)
		if !ok {
			return false, status.Errorf(codes.InvalidArgument, "unable to apply filter on field %s: unknown field", f.Field)
		}
		if !matchOne(f, v) {
			return false, nil
		}
	}
	return true, nil
}

func matchOne(f Filter, v string) bool {
	switch f.Func {
	case Eq:
		return Compare(v, f.Values[0]) == 0
	case Ne:
		return Compare(v, f.Values[0]) != 0
	case Gt:
		return Compare(v, f.Values[0]) > 0
	case Gte:
		return Compare(v, f.Values[0]) >= 0
	case Lt:
		return Compare(v, f.Values[0]) < 0
	case Lte:
		return Compare(v, f.Values[0]) <= 0
	case Contains:
		return strings.Contains(v, f.Values[0])
	case ValueIn, ValueNotIn:
		in := false
		for _, x := range f.Values {
			if Compare(v, x) == 0 {
				in = true
				break
			}
		}
		return in == (f.Func == ValueIn)
	}
	return false
}

// Compare orders two field values: as numbers when both parse as numbers, as times when both parse as RFC 3339
// times, else as strings.
func Compare(a, b string) int {
	if x, err := strconv.ParseFloat(a, 64); err == nil {
		if y, err := strconv.ParseFloat(b, 64); err == nil {
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
	}
	if x, err := time.Parse(time.RFC3339Nano, a); err == nil {
		if y, err := time.Parse(time.RFC3339Nano, b); err == nil {
			return x.Compare(y)
		}
	}
	return strings.Compare(a, b)
}

// Offset reads a pagination token ("" is the first page).
func Offset(token string) (int, error) {
	if token == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(token)
	if err != nil || n < 0 {
		return 0, status.Errorf(codes.InvalidArgument, "invalid pagination token %s", token)
	}
	return n, nil
}

// Page sorts records, applies token and limit, and returns the page with the next token ("" after the last page).
// key returns the sort field's value of a record; desc reverses the order. A limit of 0 or less is
// FlyteAdmin's InvalidArgument "invalid limit".
func Page[T any](records []T, key func(T) string, desc bool, token string, limit uint32) ([]T, string, error) {
	if limit == 0 {
		return nil, "", status.Errorf(codes.InvalidArgument, "invalid value for limit: 0")
	}
	offset, err := Offset(token)
	if err != nil {
		return nil, "", err
	}
	if key != nil {
		sort.SliceStable(records, func(i, j int) bool {
			c := Compare(key(records[i]), key(records[j]))
			if desc {
				return c > 0
			}
			return c < 0
		})
	}
	if offset >= len(records) {
		return nil, "", nil
	}
	end := offset + int(limit)
	if end >= len(records) {
		return records[offset:], "", nil
	}
	return records[offset:end], fmt.Sprint(end), nil
}
