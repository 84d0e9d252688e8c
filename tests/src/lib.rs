//! Whole-system test support for Waystation: the real service, real
//! encrypted stores, and a fault-injecting proxy between them.
