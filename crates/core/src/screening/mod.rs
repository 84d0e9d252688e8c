//! The trafficking screening of a child: which instrument version, who
//! screened, through which interpreter, in which language, the answers, the
//! contiguous-country criteria with their rationales, and the computed result.
//!
//! In the case document it is the `screening` section: `instrument`,
//! `version`, `prompt_language`, `language`, `screener`, `interpreter`,
//! `started_at`, `completed_at`, `answers` (indicator id → answer),
//! `criteria` (criterion id → `{answer, rationale}`) and `result`. The result
//! is derived: it is recomputed whenever the case is parsed, whatever the
//! input held.
//!
//! A single edit (and an operation pulled from another device) is checked
//! for shape only: question ids are checked against the instrument version
//! when the whole case is read ([`Screening::evaluate`]), so that a device
//! that does not yet know a newer instrument still accepts its screenings.

mod instrument;
mod result;

pub use instrument::{
    Catalog, Criterion, CriterionKind, Indicator, IndicatorCategory, Instrument, Prompt, PromptLanguage, Respondent,
};
pub use result::{Driver, IndicatorFinding, ReturnEligibility, ScreeningResult};

use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

use crate::access::UserName;
use crate::codes::LanguageCode;
use crate::error::FieldError;
use crate::parse::{Ctx, Obj, Record, describe, quoted, string, user, whole_number, word_enum};
use crate::text::{Text, Timestamp};

word_enum!(
    /// An answer to a screening question.
    Answer, "an answer" {
        /// Yes.
        Yes = "yes",
        /// No.
        No = "no",
        /// The child does not know, or the screener could not tell.
        Unknown = "unknown",
        /// The child did not want to answer.
        Declined = "declined",
    }
);

/// A contiguous-country criterion's answer and the reason for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CriterionAnswer {
    /// Whether the criterion is met.
    pub answer: Answer,
    /// Why: what the screener based the answer on. A criterion without a
    /// rationale is saved (nothing entered is lost) but does not count.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub rationale: Option<Text>,
}

impl CriterionAnswer {
    fn parse(v: &Value) -> Result<Self, FieldError> {
        let o = Obj::new(v, "a criterion's answer", &["answer", "rationale"])?;
        Ok(Self { answer: o.req("answer", Answer::parse)?, rationale: o.opt("rationale", Text::long)? })
    }
}

/// A screening of the child with one version of one instrument.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Screening {
    /// The instrument's id.
    pub instrument: String,
    /// The instrument's version.
    pub version: u32,
    /// The language the prompts were read in.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub prompt_language: Option<PromptLanguage>,
    /// The language spoken with the child.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub language: Option<LanguageCode>,
    /// Who screened.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub screener: Option<UserName>,
    /// The interpreter (name or service), when one was used.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub interpreter: Option<Text>,
    /// When it started.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub started_at: Option<Timestamp>,
    /// When it was completed: this meets the custody clock's screening deadline.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub completed_at: Option<Timestamp>,
    /// Indicator id → answer. A question not listed was not asked.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub answers: BTreeMap<String, Answer>,
    /// The contiguous-country criteria answered.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub criteria: BTreeMap<CriterionKind, CriterionAnswer>,
    /// The computed result (set by `NewCase::parse`; see [`Screening::evaluate`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub result: Option<ScreeningResult>,
}

fn answers(v: &Value) -> Result<BTreeMap<String, Answer>, FieldError> {
    let Value::Object(m) = v else {
        return Err(FieldError::new("", format!("must be an object of question id → answer, not {}", describe(v))));
    };
    m.iter()
        .map(|(k, v)| {
            if !instrument::is_id(k) {
                return Err(FieldError::new(k.as_str(), "is not a question id"));
            }
            Answer::parse(v).map(|a| (k.clone(), a)).map_err(|e| e.under(k))
        })
        .collect()
}

fn criteria(v: &Value) -> Result<BTreeMap<CriterionKind, CriterionAnswer>, FieldError> {
    let Value::Object(m) = v else {
        return Err(FieldError::new("", format!("must be an object of criterion → answer, not {}", describe(v))));
    };
    m.iter()
        .map(|(k, v)| {
            let kind = CriterionKind::parse(&Value::String(k.clone())).map_err(|e| e.under(k))?;
            CriterionAnswer::parse(v).map(|a| (kind, a)).map_err(|e| e.under(k))
        })
        .collect()
}

fn result(v: &Value) -> Result<ScreeningResult, FieldError> {
    serde_json::from_value(v.clone()).map_err(|e| FieldError::new("", format!("is not a screening result: {e}")))
}

impl Record for Screening {
    const WHAT: &'static str = "the screening";
    const FIELDS: &'static [&'static str] = &[
        "instrument",
        "version",
        "prompt_language",
        "language",
        "screener",
        "interpreter",
        "started_at",
        "completed_at",
        "answers",
        "criteria",
        "result",
    ];
    const REQUIRED: &'static [(&'static str, &'static str)] =
        &[("instrument", "\"waystation-child-screen\""), ("version", "1")];

    fn read(o: &Obj<'_>, ctx: &Ctx) -> Result<Self, FieldError> {
        let s = Self {
            instrument: o.req("instrument", |v| {
                let s = string(v)?.trim();
                if !instrument::is_id(s) {
                    return Err(FieldError::new("", format!("{} is not a screening instrument id", quoted(s))));
                }
                Ok(s.to_owned())
            })?,
            version: o.req("version", |v| whole_number(v, 1, 10_000))?,
            prompt_language: o.opt("prompt_language", PromptLanguage::parse)?,
            language: o.opt("language", LanguageCode::parse)?,
            screener: o.opt("screener", user)?,
            interpreter: o.opt("interpreter", Text::short)?,
            started_at: o.opt("started_at", |v| Timestamp::parse(v, ctx))?,
            completed_at: o.opt("completed_at", |v| Timestamp::parse(v, ctx))?,
            answers: o.opt("answers", answers)?.unwrap_or_default(),
            criteria: o.opt("criteria", criteria)?.unwrap_or_default(),
            result: o.opt("result", result)?,
        };
        if ctx.whole && s.started_at.zip(s.completed_at).is_some_and(|(a, b)| b < a) {
            return Err(FieldError::new("completed_at", "is before started_at"));
        }
        Ok(s)
    }
}

impl Screening {
    /// Check the answers against the screening's own instrument version in
    /// `catalog`, then compute the result. `age` is the child's age in whole
    /// years at the screening (`None` when unknown); `contiguous` whether the
    /// child is a national of a contiguous country.
    pub fn evaluate(
        &self,
        catalog: &Catalog,
        age: Option<u32>,
        contiguous: bool,
    ) -> Result<ScreeningResult, FieldError> {
        let instrument = catalog.get(&self.instrument, self.version).ok_or_else(|| {
            FieldError::new("screening.version", format!("{} has no version {}", self.instrument, self.version))
        })?;
        if let Some(id) = self.answers.keys().find(|id| instrument.indicator(id).is_none()) {
            return Err(FieldError::new(
                format!("screening.answers.{id}"),
                format!("is not a question of {} version {}", instrument.id, instrument.version),
            ));
        }
        if !self.criteria.is_empty() && !instrument.has_criteria() {
            return Err(FieldError::new(
                "screening.criteria",
                format!(
                    "{} version {} does not ask the contiguous-country criteria",
                    instrument.id, instrument.version
                ),
            ));
        }
        Ok(result::evaluate(self, instrument, age, contiguous))
    }
}
