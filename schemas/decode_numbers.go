package schemas

// optionalNumbers holds the values the optional number fields of one
// decoded record point to, so that they cost one allocation together.
// numbersSlab is how many records' optionalNumbers are allocated at once.
const numbersSlab = 32

type optionalNumbers struct {
	preds     [2]float64 // predicted_satisfaction, predicted_resolution
	hold      float64
	queueWait float64
	transfers int64
}

// numbers returns the record's optionalNumbers, taken on first use from
// a slab the pooled decoder keeps across records: one allocation per
// numbersSlab records instead of one per record. Records only share the
// slab's memory, never an element.
func (d *decoder) numbers() *optionalNumbers {
	if d.nums == nil {
		if len(d.numSlab) == 0 {
			d.numSlab = make([]optionalNumbers, numbersSlab)
		}
		d.nums = &d.numSlab[0]
		d.numSlab = d.numSlab[1:]
	}
	return d.nums
}

// optionalNumber reads hold_s, queue_wait_s or transfers (field f, whose
// value starts with c): a number within the field's bounds, or null for
// absent. The last occurrence counts.
func (d *decoder) optionalNumber(f int, c byte) bool {
	switch f {
	case fHoldS:
		d.it.HoldS = nil
	case fQueueWaitS:
		d.it.QueueWaitS = nil
	case fTransfers:
		d.it.Transfers = nil
	}
	if c == 'n' {
		return d.readLiteral("null")
	}
	if !isNumberStart(c) {
		if f == fTransfers {
			return d.typeError(f, "a whole number (or null)", c)
		}
		return d.typeError(f, "a number of seconds (or null)", c)
	}
	lit, ok := d.readNumber()
	if !ok {
		return false
	}
	switch f {
	case fHoldS:
		v, in := inRange(lit, boundZero, boundHold)
		if !in {
			d.errs[f] = verr(fieldNames[f], RuleRange, holdMessage(quoteNumber(lit)))
			return true
		}
		p := &d.numbers().hold
		*p = v
		d.it.HoldS = p
	case fQueueWaitS:
		v, in := inRange(lit, boundZero, boundQueueWait)
		if !in {
			d.errs[f] = verr(fieldNames[f], RuleRange, queueWaitMessage(quoteNumber(lit)))
			return true
		}
		p := &d.numbers().queueWait
		*p = v
		d.it.QueueWaitS = p
	case fTransfers:
		if _, isInt, _ := parseInteger(lit); !isInt {
			d.errs[f] = verr(fieldNames[f], RuleInteger, transfersMessage(quoteNumber(lit)))
			return true
		}
		v, in := inRange(lit, boundZero, boundTransfers)
		if !in {
			d.errs[f] = verr(fieldNames[f], RuleRange, transfersMessage(quoteNumber(lit)))
			return true
		}
		p := &d.numbers().transfers
		*p = int64(v)
		d.it.Transfers = p
	}
	return true
}
