//! Balancing: spreading a stage's unassigned tasks over chosen annotators so that their
//! workloads end as even as possible (the board's "balance" button). Planning is a pure
//! function; `Workspace::balance` reads the loads (open tasks: `TaskStatus::is_open`)
//! and queues the reassignments.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// One annotator's share of a plan.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Share {
    /// Who.
    pub assignee: String,
    /// Open tasks before the plan.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub load_before: u64,
    /// The tasks the plan gives them.
    pub task_ids: Vec<String>,
}

/// Gives each task, in order, to the annotator with the lowest load at that moment (ties
/// go to the one listed first), so the final loads differ by at most one wherever the
/// starting loads allow it. Annotators listed twice count once.
pub fn plan(tasks: &[String], loads: &[(String, u64)]) -> Vec<Share> {
    let mut shares: Vec<Share> = Vec::with_capacity(loads.len());
    for (assignee, load) in loads {
        if !shares.iter().any(|s| &s.assignee == assignee) {
            shares.push(Share {
                assignee: assignee.clone(),
                load_before: *load,
                task_ids: Vec::new(),
            });
        }
    }
    if shares.is_empty() {
        return shares;
    }
    let mut heap: BinaryHeap<Reverse<(u64, usize)>> = shares
        .iter()
        .enumerate()
        .map(|(i, s)| Reverse((s.load_before, i)))
        .collect();
    for task in tasks {
        let Reverse((load, i)) = heap.pop().expect("one entry per share, always pushed back");
        shares[i].task_ids.push(task.clone());
        heap.push(Reverse((load + 1, i)));
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("t{i}")).collect()
    }

    fn loads(v: &[(&str, u64)]) -> Vec<(String, u64)> {
        v.iter().map(|(a, n)| (a.to_string(), *n)).collect()
    }

    #[test]
    fn fills_the_least_loaded_first_then_evens_out() {
        let plan = plan(&ids(7), &loads(&[("ana", 5), ("bo", 0), ("chidi", 2)]));
        let after: Vec<u64> = plan
            .iter()
            .map(|s| s.load_before + s.task_ids.len() as u64)
            .collect();
        assert_eq!(after, vec![5, 5, 4]);
        assert_eq!(plan[0].task_ids.len(), 0);
        let given: usize = plan.iter().map(|s| s.task_ids.len()).sum();
        assert_eq!(given, 7);
    }

    #[test]
    fn ties_go_to_the_first_listed_and_every_task_once() {
        let plan = plan(&ids(5), &loads(&[("ana", 1), ("bo", 1), ("ana", 9)]));
        assert_eq!(plan.len(), 2);
        assert_eq!(plan[0].task_ids, vec!["t0", "t2", "t4"]);
        assert_eq!(plan[1].task_ids, vec!["t1", "t3"]);
    }

    #[test]
    fn nobody_chosen_plans_nothing() {
        assert!(plan(&ids(3), &[]).is_empty());
    }
}
