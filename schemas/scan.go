package schemas

import (
	"unicode/utf8"
)

// scanner reads JSON text (RFC 8259) from a byte slice. Methods report a
// syntax problem by setting err and returning false; after that the scanner
// must not be used. It validates everything it passes over, including the
// values it skips.
type scanner struct {
	data []byte
	pos  int
	err  *SyntaxError
	buf  []byte // unescaped string scratch, reused by every readString
}

func (s *scanner) fail(msg string) bool {
	if s.err == nil {
		s.err = &SyntaxError{Offset: s.pos, Msg: msg}
	}
	return false
}

func (s *scanner) skipWS() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// peek returns the next byte after whitespace, or 0 at the end.
func (s *scanner) peek() byte {
	s.skipWS()
	if s.pos < len(s.data) {
		return s.data[s.pos]
	}
	return 0
}

// expect consumes c after whitespace.
func (s *scanner) expect(c byte, what string) bool {
	if s.peek() != c {
		if s.pos >= len(s.data) {
			return s.fail("unexpected end of input, expected " + what)
		}
		return s.fail("expected " + what + ", found " + describeByte(s.data[s.pos]))
	}
	s.pos++
	return true
}

func describeByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return "'" + string(rune(c)) + "'"
	}
	const hex = "0123456789abcdef"
	return "byte 0x" + string([]byte{hex[c>>4], hex[c&15]})
}

// readString reads a string starting at the opening quote. It returns the
// unescaped contents, which alias the input or the scratch buffer and are
// only valid until the next readString. badText is true when the contents
// are not valid UTF-8 text: raw invalid UTF-8 bytes or an unpaired UTF-16
// surrogate escape (\ud800); such a string is still well-formed JSON syntax.
func (s *scanner) readString() (val []byte, badText, ok bool) {
	data := s.data
	i := s.pos + 1
	start := i
	high := false
	for i < len(data) {
		// Skip plain ASCII quickly; stop at '"', '\\', control bytes and
		// non-ASCII bytes.
		for i < len(data) && !stringSpecial[data[i]] {
			i++
		}
		if i >= len(data) {
			break
		}
		switch c := data[i]; {
		case c == '"':
			s.pos = i + 1
			val = data[start:i]
			return val, high && !utf8.Valid(val), true
		case c == '\\':
			return s.readEscaped(start, i)
		case c < 0x20:
			s.pos = i
			return nil, false, s.fail("control character " + describeByte(c) + " in a string (escape it)")
		default:
			high = true
		}
		i++
	}
	s.pos = i
	return nil, false, s.fail("unterminated string")
}

// stringSpecial marks the bytes readString must look at.
var stringSpecial = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c < 0x20 || c == '"' || c == '\\' || c >= 0x80
	}
	return t
}()

// readEscaped finishes a string that has escapes; data[start:i] is plain and
// data[i] is the first backslash.
func (s *scanner) readEscaped(start, i int) (val []byte, badText, ok bool) {
	data := s.data
	buf := append(s.buf[:0], data[start:i]...)
	badText = !utf8.Valid(buf)
	run := i
	for i < len(data) {
		c := data[i]
		if c == '"' {
			if !utf8.Valid(data[run:i]) {
				badText = true
			}
			buf = append(buf, data[run:i]...)
			s.pos = i + 1
			s.buf = buf
			return buf, badText, true
		}
		if c < 0x20 {
			s.pos = i
			return nil, false, s.fail("control character " + describeByte(c) + " in a string (escape it)")
		}
		if c != '\\' {
			i++
			continue
		}
		// A backslash never splits a UTF-8 sequence, so each plain run can
		// be checked on its own.
		if !utf8.Valid(data[run:i]) {
			badText = true
		}
		buf = append(buf, data[run:i]...)
		if i+1 >= len(data) {
			s.pos = i
			return nil, false, s.fail("unterminated string")
		}
		switch e := data[i+1]; e {
		case '"', '\\', '/':
			buf = append(buf, e)
			i += 2
		case 'b':
			buf = append(buf, '\b')
			i += 2
		case 'f':
			buf = append(buf, '\f')
			i += 2
		case 'n':
			buf = append(buf, '\n')
			i += 2
		case 'r':
			buf = append(buf, '\r')
			i += 2
		case 't':
			buf = append(buf, '\t')
			i += 2
		case 'u':
			r, okHex := hex4(data, i+2)
			if !okHex {
				s.pos = i
				return nil, false, s.fail(`a \u escape needs 4 hex digits`)
			}
			i += 6
			switch {
			case r >= 0xd800 && r < 0xdc00:
				if r2, ok2 := lowSurrogate(data, i); ok2 {
					r = 0x10000 + (r-0xd800)<<10 + (r2 - 0xdc00)
					i += 6
				} else {
					r, badText = utf8.RuneError, true
				}
			case r >= 0xdc00 && r < 0xe000:
				r, badText = utf8.RuneError, true
			}
			buf = utf8.AppendRune(buf, r)
		default:
			s.pos = i
			s.buf = buf
			return nil, false, s.fail("invalid escape " + describeByte(e) + " in a string")
		}
		run = i
	}
	s.pos = i
	s.buf = buf
	return nil, false, s.fail("unterminated string")
}

// hex4 parses the 4 hex digits at data[i:].
func hex4(data []byte, i int) (rune, bool) {
	if i+4 > len(data) {
		return 0, false
	}
	var r rune
	for _, c := range data[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// lowSurrogate reports whether data[i:] starts with a \uDC00-\uDFFF escape.
func lowSurrogate(data []byte, i int) (rune, bool) {
	if i+6 > len(data) || data[i] != '\\' || data[i+1] != 'u' {
		return 0, false
	}
	r, ok := hex4(data, i+2)
	return r, ok && r >= 0xdc00 && r < 0xe000
}

// readNumber reads a number literal at s.pos and returns it.
func (s *scanner) readNumber() ([]byte, bool) {
	data := s.data
	start := s.pos
	i := start
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && data[i] >= '1' && data[i] <= '9':
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
	default:
		s.pos = i
		return nil, s.fail("invalid number")
	}
	if i < len(data) && data[i] == '.' {
		i++
		if i >= len(data) || data[i] < '0' || data[i] > '9' {
			s.pos = i
			return nil, s.fail("a number needs digits after '.'")
		}
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) || data[i] < '0' || data[i] > '9' {
			s.pos = i
			return nil, s.fail("a number needs digits in its exponent")
		}
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
	}
	s.pos = i
	return data[start:i], true
}

// readLiteral consumes the literal word (true, false or null) at s.pos.
func (s *scanner) readLiteral(word string) bool {
	if len(s.data)-s.pos < len(word) || string(s.data[s.pos:s.pos+len(word)]) != word {
		return s.fail("invalid literal, expected " + word)
	}
	s.pos += len(word)
	return true
}

// readScalar reads the scalar value starting with c (the peeked byte).
func (s *scanner) readScalar(c byte) bool {
	switch c {
	case '"':
		_, _, ok := s.readString()
		return ok
	case 't':
		return s.readLiteral("true")
	case 'f':
		return s.readLiteral("false")
	case 'n':
		return s.readLiteral("null")
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		_, ok := s.readNumber()
		return ok
	case 0:
		if s.pos >= len(s.data) {
			return s.fail("unexpected end of input, expected a value")
		}
	}
	return s.fail("expected a value, found " + describeByte(c))
}

// skipValue reads and discards one value of any depth. It is iterative, so
// deep nesting costs one byte of stack per level and no recursion.
func (s *scanner) skipValue() bool {
	var small [32]byte
	stack := small[:0]
	for {
		// A value is expected here.
		c := s.peek()
		switch c {
		case '{':
			s.pos++
			if s.peek() == '}' {
				s.pos++
				break
			}
			stack = append(stack, '}')
			if !s.objectKey() {
				return false
			}
			continue
		case '[':
			s.pos++
			if s.peek() == ']' {
				s.pos++
				break
			}
			stack = append(stack, ']')
			continue
		default:
			if !s.readScalar(c) {
				return false
			}
		}
		// After a value: close containers or move to the next element.
		for {
			if len(stack) == 0 {
				return true
			}
			top := stack[len(stack)-1]
			c := s.peek()
			if c == ',' {
				s.pos++
				if top == '}' && !s.objectKey() {
					return false
				}
				break
			}
			if c != top {
				if s.pos >= len(s.data) {
					return s.fail("unexpected end of input, expected ',' or " + describeByte(top))
				}
				return s.fail("expected ',' or " + describeByte(top) + ", found " + describeByte(c))
			}
			s.pos++
			stack = stack[:len(stack)-1]
		}
	}
}

// objectKey reads `"key" :` and leaves the scanner before the value.
func (s *scanner) objectKey() bool {
	if s.peek() != '"' {
		return s.expect('"', "a string key")
	}
	if _, _, ok := s.readString(); !ok {
		return false
	}
	return s.expect(':', "':'")
}

// kindOf names the JSON type of the value starting with c, for messages.
func kindOf(c byte) string {
	switch c {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't':
		return "true"
	case 'f':
		return "false"
	case 'n':
		return "null"
	}
	return "a number"
}

// record reads one top-level JSON record: members is called at its '{'
// when it is an object and must read through its '}'; only whitespace may
// follow. It returns nil when the object was read, else what the decoder
// returns: the *SyntaxError, or the validation error of a well-formed
// value that is not an object.
func (s *scanner) record(members func() bool) error {
	c := s.peek()
	if c != '{' {
		if c == 0 && s.pos >= len(s.data) {
			s.fail("empty input, expected a JSON object")
			return s.err
		}
		if !s.skipValue() || !s.atEnd() {
			return s.err
		}
		return ValidationErrors{verr("", RuleRecord, "must be a JSON object, got "+kindOf(c))}
	}
	if !members() || !s.atEnd() {
		return s.err
	}
	return nil
}

// atEnd checks that only whitespace follows.
func (s *scanner) atEnd() bool {
	s.skipWS()
	if s.pos != len(s.data) {
		return s.fail("unexpected data after the record")
	}
	return true
}
