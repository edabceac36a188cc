//! The hybrid logical clock that orders a shared shop's edits (Kulkarni
//! et al., "Logical Physical Clocks", 2014).
//!
//! A reading is the wall time in milliseconds, a counter and the device's
//! id. Each device's next reading is later than every reading it has made
//! or received, so an edit made after seeing another device's edit always
//! wins over it, even when this device's wall clock is behind: a device
//! whose clock is an hour fast cannot keep winning for that hour once the
//! others have heard from it. Ties between devices that never heard of
//! each other go to the later wall time, then the device id, the same way
//! on every device. The text form sorts as the readings do.

use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    pub wall_ms: i64,
    pub counter: i64,
    pub device: String,
}

impl Reading {
    /// The first reading of a device that has made none.
    pub fn zero(device: &str) -> Reading {
        Reading { wall_ms: 0, counter: 0, device: device.to_string() }
    }

    /// The next reading for a change made here at wall time `now_ms`.
    pub fn tick(&self, now_ms: i64) -> Reading {
        if now_ms > self.wall_ms {
            Reading { wall_ms: now_ms, counter: 0, device: self.device.clone() }
        } else {
            Reading { wall_ms: self.wall_ms, counter: self.counter + 1, device: self.device.clone() }
        }
    }

    /// This device's clock after it receives `remote` at wall time `now_ms`:
    /// later than both, so what it does next orders after what it saw.
    pub fn receive(&self, remote: &Reading, now_ms: i64) -> Reading {
        let wall_ms = now_ms.max(self.wall_ms).max(remote.wall_ms);
        let counter = if wall_ms == self.wall_ms && wall_ms == remote.wall_ms {
            self.counter.max(remote.counter) + 1
        } else if wall_ms == self.wall_ms {
            self.counter + 1
        } else if wall_ms == remote.wall_ms {
            remote.counter + 1
        } else {
            0
        };
        Reading { wall_ms, counter, device: self.device.clone() }
    }

    /// The text kept beside a field and sent with a change; fixed-width
    /// numbers, so text order is clock order.
    pub fn encode(&self) -> String {
        format!("{:015}-{:010}-{}", self.wall_ms.max(0), self.counter.max(0), self.device)
    }

    /// A reading from its text; `None` for anything else.
    pub fn decode(text: &str) -> Option<Reading> {
        let mut parts = text.splitn(3, '-');
        let wall = parts.next()?;
        let counter = parts.next()?;
        let device = parts.next()?;
        if wall.len() != 15 || counter.len() != 10 || device.is_empty() {
            return None;
        }
        Some(Reading { wall_ms: wall.parse().ok()?, counter: counter.parse().ok()?, device: device.to_string() })
    }
}

impl PartialOrd for Reading {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Reading {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.wall_ms, self.counter, &self.device).cmp(&(other.wall_ms, other.counter, &other.device))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reading_made_after_seeing_another_orders_after_it_whatever_the_wall_clock() {
        let fast = Reading::zero("fast").tick(10_000 + 3_600_000);
        let slow = Reading::zero("slow").tick(10_000).receive(&fast, 10_500);
        let next = slow.tick(11_000);
        assert!(next > fast, "{next:?} should order after {fast:?}");
        assert!(next.encode() > fast.encode());
    }

    #[test]
    fn readings_only_move_forward() {
        let a = Reading::zero("a").tick(5);
        assert!(a.tick(3) > a);
        assert!(a.tick(5) > a);
        assert!(a.receive(&Reading { wall_ms: 5, counter: 9, device: "b".into() }, 1).counter == 10);
    }

    #[test]
    fn the_text_form_round_trips_and_refuses_other_text() {
        let a = Reading { wall_ms: 1_765_000_000_000, counter: 3, device: "0193-abc-def".into() };
        assert_eq!(Reading::decode(&a.encode()), Some(a));
        for bad in ["", "1-2-3", "x", "000000000000001-000000000x-d"] {
            assert_eq!(Reading::decode(bad), None, "{bad}");
        }
    }
}
