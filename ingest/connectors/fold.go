package connectors

// latinFold spells the letters U+00C0..U+017F (Latin-1 Supplement and Latin
// Extended-A) in ASCII, for NormalizeID: "É" → "E", "ß" → "ss", "Ł" → "L".
// An empty entry (× and ÷) is not a letter. Generated from Unicode NFKD
// decompositions plus the letters that do not decompose.
var latinFold = [...]string{
	"A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
	"D", "N", "O", "O", "O", "O", "O", "", "O", "U", "U", "U", "U", "Y", "TH", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",
	"A", "a", "A", "a", "A", "a", "C", "c", "C", "c", "C", "c", "C", "c", "D", "d",
	"D", "d", "E", "e", "E", "e", "E", "e", "E", "e", "E", "e", "G", "g", "G", "g",
	"G", "g", "G", "g", "H", "h", "H", "h", "I", "i", "I", "i", "I", "i", "I", "i",
	"I", "i", "IJ", "ij", "J", "j", "K", "k", "k", "L", "l", "L", "l", "L", "l", "L",
	"l", "L", "l", "N", "n", "N", "n", "N", "n", "n", "N", "n", "O", "o", "O", "o",
	"O", "o", "OE", "oe", "R", "r", "R", "r", "R", "r", "S", "s", "S", "s", "S", "s",
	"S", "s", "T", "t", "T", "t", "T", "t", "U", "u", "U", "u", "U", "u", "U", "u",
	"U", "u", "U", "u", "W", "w", "Y", "y", "Y", "Z", "z", "Z", "z", "Z", "z", "s",
}

const latinFoldFirst = 0xC0

// foldLatin returns the ASCII spelling of r, if latinFold has one.
func foldLatin(r rune) (string, bool) {
	if r < latinFoldFirst || r >= latinFoldFirst+rune(len(latinFold)) {
		return "", false
	}
	s := latinFold[r-latinFoldFirst]
	return s, s != ""
}
