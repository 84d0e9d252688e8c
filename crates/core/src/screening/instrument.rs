//! Screening instruments as data, and the catalog of their versions.
//!
//! An instrument is a versioned JSON document: indicator questions and the
//! contiguous-country criteria, each with plain-language prompts in English
//! and Spanish. A screening names its instrument's id and version, and is
//! always read with that version: publishing a new version adds to the
//! catalog and never changes how an old screening is read.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::error::FieldError;
use crate::parse::word_enum;

const BUILTIN: &[&str] = &[include_str!("waystation-child-screen-v1.json")];

/// A prompt in every language the instrument is offered in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Prompt {
    /// English.
    pub en: String,
    /// Spanish.
    pub es: String,
}

impl Prompt {
    /// The prompt in `language`.
    pub fn get(&self, language: PromptLanguage) -> &str {
        match language {
            PromptLanguage::En => &self.en,
            PromptLanguage::Es => &self.es,
        }
    }
}

word_enum!(
    /// The language the screener read the prompts in.
    PromptLanguage, "a prompt language" {
        /// English.
        En = "en",
        /// Spanish.
        Es = "es",
    }
);

word_enum!(
    /// What an indicator is evidence of; metric definitions count by these
    /// (for example online exploitation apart from cross-border trafficking).
    IndicatorCategory, "an indicator category" {
        /// Physical force or confinement.
        Force = "force",
        /// Deception, false promises.
        Fraud = "fraud",
        /// Coercion through fear of authorities or other pressure.
        Coercion = "coercion",
        /// Debt bondage.
        Debt = "debt",
        /// Documents withheld.
        Documents = "documents",
        /// Forced or unpaid labor.
        Labor = "labor",
        /// Commercial sex.
        CommercialSex = "commercial_sex",
        /// Someone else controls money, movement or speech.
        Control = "control",
        /// Threats to the child or the family.
        Threats = "threats",
        /// Online sexual exploitation or sextortion.
        OnlineExploitation = "online_exploitation",
        /// Forced criminal activity.
        CriminalExploitation = "criminal_exploitation",
        /// Recruitment into work or debt at the destination.
        Recruitment = "recruitment",
        /// What the screener observed.
        Observation = "observation",
    }
);

word_enum!(
    /// Who answers a question.
    Respondent, "a respondent" {
        /// The child.
        Child = "child",
        /// The screener, from observation.
        Screener = "screener",
    }
);

word_enum!(
    /// The four conditions that must all hold before a child from a
    /// contiguous country may be returned.
    CriterionKind, "a contiguous-country criterion" {
        /// (1) The child is not a victim of a severe form of trafficking.
        NotTraffickingVictim = "not_trafficking_victim",
        /// (2) The child is not at risk of trafficking on return.
        NoTraffickingRiskOnReturn = "no_trafficking_risk_on_return",
        /// (3) The child has no credible fear of persecution.
        NoCredibleFear = "no_credible_fear",
        /// (4) The child can decide independently to withdraw and return
        /// (presumed not, under 14).
        AbleToDecideIndependently = "able_to_decide_independently",
    }
);

/// One indicator question. A "yes" answer means the indicator is present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Indicator {
    /// Stable id, used in answers (`owes_debt`).
    pub id: String,
    /// What it is evidence of.
    pub category: IndicatorCategory,
    /// Who answers it.
    pub asked_of: Respondent,
    /// The question.
    pub prompt: Prompt,
}

/// One contiguous-country criterion, phrased so that "yes" means it is met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Criterion {
    /// Which criterion.
    pub id: CriterionKind,
    /// The question to the screener.
    pub prompt: Prompt,
}

/// A screening instrument, one version of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Instrument {
    /// Stable id (`waystation-child-screen`).
    pub id: String,
    /// Version, from 1.
    pub version: u32,
    /// Title.
    pub title: Prompt,
    /// What to read to the child first.
    pub introduction: Prompt,
    /// Indicator questions, in the order they are asked.
    pub indicators: Vec<Indicator>,
    /// The contiguous-country criteria: none, or all four.
    #[serde(default)]
    pub criteria: Vec<Criterion>,
}

pub(super) fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

impl Instrument {
    /// Read an instrument from its JSON and check it: ids well formed and
    /// unique, every prompt written in both languages, criteria none or all four.
    pub fn from_json(json: &str) -> Result<Self, FieldError> {
        let i: Instrument = serde_json::from_str(json)
            .map_err(|e| FieldError::new("instrument", format!("is not a valid instrument: {e}")))?;
        if !is_id(&i.id) {
            return Err(FieldError::new("instrument.id", format!("{:?} is not an instrument id", i.id)));
        }
        if i.version == 0 {
            return Err(FieldError::new("instrument.version", "starts at 1"));
        }
        let empty = |p: &Prompt| p.en.trim().is_empty() || p.es.trim().is_empty();
        if empty(&i.title) || empty(&i.introduction) {
            return Err(FieldError::new("instrument.title", "needs its text in English and Spanish"));
        }
        for (n, ind) in i.indicators.iter().enumerate() {
            let field = format!("instrument.indicators[{n}]");
            if !is_id(&ind.id) || i.indicators[..n].iter().any(|o| o.id == ind.id) {
                return Err(FieldError::new(format!("{field}.id"), format!("{:?} is not a new indicator id", ind.id)));
            }
            if empty(&ind.prompt) {
                return Err(FieldError::new(format!("{field}.prompt"), "needs its text in English and Spanish"));
            }
        }
        if i.indicators.is_empty() {
            return Err(FieldError::new("instrument.indicators", "an instrument needs at least one indicator"));
        }
        let kinds: Vec<CriterionKind> = i.criteria.iter().map(|c| c.id).collect();
        let complete = CriterionKind::ALL.iter().all(|k| kinds.contains(k)) && kinds.len() == CriterionKind::ALL.len();
        if !kinds.is_empty() && !complete {
            return Err(FieldError::new(
                "instrument.criteria",
                "must hold all four contiguous-country criteria once, or none",
            ));
        }
        if let Some(n) = i.criteria.iter().position(|c| empty(&c.prompt)) {
            return Err(FieldError::new(
                format!("instrument.criteria[{n}].prompt"),
                "needs its text in English and Spanish",
            ));
        }
        Ok(i)
    }

    /// The indicator with this id.
    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.id == id)
    }

    /// Whether it asks the contiguous-country criteria.
    pub fn has_criteria(&self) -> bool {
        !self.criteria.is_empty()
    }
}

/// The instruments a device knows, every version of each.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    instruments: BTreeMap<(String, u32), Instrument>,
}

impl Catalog {
    /// An empty catalog.
    pub fn new() -> Self {
        Self::default()
    }

    /// The instruments that ship with Waystation.
    pub fn builtin() -> &'static Catalog {
        static C: OnceLock<Catalog> = OnceLock::new();
        C.get_or_init(|| {
            let mut c = Catalog::new();
            for json in BUILTIN {
                c.insert(Instrument::from_json(json).expect("built-in instruments are valid")).expect("unique");
            }
            c
        })
    }

    /// Add an instrument version. The same id and version with other
    /// content is refused: a published version never changes.
    pub fn insert(&mut self, instrument: Instrument) -> Result<(), FieldError> {
        let key = (instrument.id.clone(), instrument.version);
        match self.instruments.get(&key) {
            Some(existing) if *existing != instrument => Err(FieldError::new(
                "instrument.version",
                format!("{} version {} is already published with other content; publish a new version", key.0, key.1),
            )),
            _ => {
                self.instruments.insert(key, instrument);
                Ok(())
            }
        }
    }

    /// One version of an instrument.
    pub fn get(&self, id: &str, version: u32) -> Option<&Instrument> {
        self.instruments.get(&(id.to_owned(), version))
    }

    /// The newest version of an instrument: what a new screening uses.
    pub fn latest(&self, id: &str) -> Option<&Instrument> {
        self.instruments.range((id.to_owned(), 0)..=(id.to_owned(), u32::MAX)).next_back().map(|(_, i)| i)
    }

    /// Every instrument version, by id then version.
    pub fn instruments(&self) -> impl Iterator<Item = &Instrument> {
        self.instruments.values()
    }

    /// Whether any instrument version asks the indicator `id`.
    pub fn knows_indicator(&self, id: &str) -> bool {
        self.instruments.values().any(|i| i.indicator(id).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_instrument_is_bilingual_and_complete() {
        let i = Catalog::builtin().latest("waystation-child-screen").expect("shipped");
        assert_eq!(i.version, 1);
        assert!(i.indicators.len() >= 16);
        assert_eq!(i.criteria.len(), 4);
        for c in [IndicatorCategory::Debt, IndicatorCategory::Documents, IndicatorCategory::OnlineExploitation] {
            assert!(i.indicators.iter().any(|x| x.category == c), "{c}");
        }
        assert!(i.indicators.iter().all(|x| x.prompt.en != x.prompt.es));
    }

    #[test]
    fn a_published_version_cannot_change() {
        let mut c = Catalog::builtin().clone();
        let mut i = c.latest("waystation-child-screen").unwrap().clone();
        i.indicators.pop();
        assert!(c.insert(i.clone()).is_err());
        i.version = 2;
        c.insert(i).unwrap();
        assert_eq!(c.latest("waystation-child-screen").unwrap().version, 2);
        assert_eq!(c.get("waystation-child-screen", 1).unwrap().indicators.len(), 18);
    }

    #[test]
    fn an_instrument_with_three_criteria_is_refused() {
        let mut v: serde_json::Value = serde_json::from_str(BUILTIN[0]).unwrap();
        v["criteria"].as_array_mut().unwrap().pop();
        let e = Instrument::from_json(&v.to_string()).unwrap_err();
        assert_eq!(e.field, "instrument.criteria");
    }
}
