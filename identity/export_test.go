package identity

// RegionName is regionName for the tests.
var RegionName = regionName
