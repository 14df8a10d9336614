package schemas

import "unicode/utf8"

// ValidID reports whether s matches the canonical id pattern of tenant_id,
// agent_id and team_id: ^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$. Ids of this
// form are safe in URL path segments and websocket channel names.
func ValidID(s string) bool {
	if s == "" || len(s) > MaxIDLength || !isAlnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isIDByte(s[i]) {
			return false
		}
	}
	return true
}

// ValidPlanID reports whether s can be a coaching plan's id:
// ^[A-Za-z0-9._@-]{1,128}$. Plan ids are random URL-safe base64, which may
// begin with '-' or '_', so unlike ValidID any first byte of the set is
// allowed.
func ValidPlanID(s string) bool {
	if s == "" || len(s) > MaxIDLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isIDByte(s[i]) {
			return false
		}
	}
	return true
}

// ValidModel reports whether s matches the canonical model pattern
// ^[a-z][a-z0-9_-]{0,31}$.
func ValidModel(s string) bool {
	if s == "" || len(s) > MaxModelLength || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// ValidInquiry reports whether s is a canonical inquiry: 1 to 128 code
// points of valid UTF-8 without control characters (C0, DEL and C1).
func ValidInquiry(s string) bool {
	if s == "" || !utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxInquiryLength {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r >= 0x7f && r <= 0x9f {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

func isIDByte(c byte) bool { return isAlnum(c) || c == '.' || c == '_' || c == '@' || c == '-' }
