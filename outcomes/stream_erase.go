package outcomes

// EraseCustomers blanks every customer key erased reports true for (the
// erasure of a customer): the customer's contacts stay, as contacts
// without a customer (their case mix, outcomes and predictions are the
// agent's work, as the stores keep the interactions with the key
// blanked), and the key leaves the state, so the next checkpoint no
// longer holds it. Labels not yet sealed are computed as for a contact
// without a key; the live contacts are marked dirty, so the next Drain
// re-emits them. It returns how many contacts lost their key.
func (s *Stream) EraseCustomers(erased func(tenant, key string) bool) int {
	n := 0
	for name, ts := range s.tenants {
		for key, list := range ts.customers {
			if !erased(name, key) {
				continue
			}
			for _, c := range list {
				c.Customer = ""
				if _, live := ts.contacts[c.ID]; live {
					ts.dirty[c.ID] = true
				}
				n++
			}
			delete(ts.customers, key)
		}
	}
	return n
}
