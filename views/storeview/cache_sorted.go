package storeview

import "slices"

// sortedBlockMax is the largest block of a sortedList; a block that grows
// beyond it is split in two.
const sortedBlockMax = 512

// sortedList is an ascending multiset kept as a list of sorted blocks of
// at most sortedBlockMax elements (none empty), so that an insert or a
// removal moves at most a block's elements and the list of blocks,
// instead of half of one flat slice: the population indexes are updated
// per agent update, and a flat slice made each update cost O(agents).
// Positional reads (at, search) walk the block lengths: O(n/512 + log).
type sortedList[T any] struct {
	blocks [][]T
	n      int
	cmp    func(a, b T) int
}

// len is the number of elements.
func (l *sortedList[T]) len() int { return l.n }

// reset replaces the contents with sorted, which must be ascending; the
// list takes ownership of sorted.
func (l *sortedList[T]) reset(sorted []T) {
	l.blocks = l.blocks[:0]
	l.n = len(sorted)
	for len(sorted) > 0 {
		k := min(len(sorted), sortedBlockMax/2)
		l.blocks = append(l.blocks, sorted[:k:k]) // capped: inserts copy
		sorted = sorted[k:]
	}
}

// locate returns the block and the position in it of the first element
// not less than x (by cmp); a block index of len(blocks) means none is.
func (l *sortedList[T]) locate(x T) (bi, i int) {
	bi, _ = slices.BinarySearchFunc(l.blocks, x, func(b []T, x T) int {
		// Blocks whose last element is below x come first.
		if l.cmp(b[len(b)-1], x) < 0 {
			return -1
		}
		return 1
	})
	if bi == len(l.blocks) {
		return bi, 0
	}
	i, _ = slices.BinarySearchFunc(l.blocks[bi], x, l.cmp)
	return bi, i
}

// insert adds x.
func (l *sortedList[T]) insert(x T) {
	l.n++
	if len(l.blocks) == 0 {
		l.blocks = append(l.blocks, []T{x})
		return
	}
	bi, i := l.locate(x)
	if bi == len(l.blocks) { // above every element: the last block's end
		bi--
		i = len(l.blocks[bi])
	}
	b := slices.Insert(l.blocks[bi], i, x)
	if len(b) <= sortedBlockMax {
		l.blocks[bi] = b
		return
	}
	h := len(b) / 2
	lo := b[:h:h]
	hi := slices.Clone(b[h:])
	l.blocks[bi] = lo
	l.blocks = slices.Insert(l.blocks, bi+1, hi)
}

// remove deletes one element equal to x (cmp 0) and reports whether
// there was one.
func (l *sortedList[T]) remove(x T) bool {
	bi, i := l.locate(x)
	if bi == len(l.blocks) || l.cmp(l.blocks[bi][i], x) != 0 {
		return false
	}
	l.n--
	b := slices.Delete(l.blocks[bi], i, i+1)
	if len(b) == 0 {
		l.blocks = slices.Delete(l.blocks, bi, bi+1)
	} else {
		l.blocks[bi] = b
	}
	return true
}

// contains reports whether an element equal to x (cmp 0) is present.
func (l *sortedList[T]) contains(x T) bool {
	bi, i := l.locate(x)
	return bi < len(l.blocks) && l.cmp(l.blocks[bi][i], x) == 0
}

// at returns the i-th smallest element (0 ≤ i < len).
func (l *sortedList[T]) at(i int) T {
	for _, b := range l.blocks {
		if i < len(b) {
			return b[i]
		}
		i -= len(b)
	}
	panic("sortedList: index out of range")
}

// search returns the number of leading elements for which pred is false,
// pred being false then true along the list (sort.Search's contract).
func (l *sortedList[T]) search(pred func(T) bool) int {
	bi, _ := slices.BinarySearchFunc(l.blocks, true, func(b []T, _ bool) int {
		if !pred(b[len(b)-1]) {
			return -1
		}
		return 1
	})
	n := 0
	for _, b := range l.blocks[:bi] {
		n += len(b)
	}
	if bi == len(l.blocks) {
		return n
	}
	b := l.blocks[bi]
	i, _ := slices.BinarySearchFunc(b, true, func(e T, _ bool) int {
		if !pred(e) {
			return -1
		}
		return 1
	})
	return n + i
}
