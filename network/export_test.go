package network

import "time"

// SetStaleness stands for time passing in a test: what WithStaleness set at construction.
func (s *Service) SetStaleness(d time.Duration) { s.staleness = d }
