//! Project files (`*.r2v.json`): references (path or URL, name, order), prompt and
//! parameters, to pick up a piece of work again. I/O: call off the UI thread.
//!
//! Errors are `String`s in English for now (the window keeps them as such); their
//! messages are in the catalogue in both languages (`cli-project-*`).

use crate::core::{GenerationSpec, Localized, RefSource};
use crate::loc;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const EXTENSION: &str = "r2v.json";
const FORMAT: &str = "r2v-studio-project";
const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    pub format: String,
    pub version: u32,
    pub spec: GenerationSpec,
}

impl Project {
    pub fn new(spec: GenerationSpec) -> Project {
        Project {
            format: FORMAT.to_string(),
            version: VERSION,
            spec,
        }
    }

    /// Writes the project (to a temporary file, then renamed into place).
    pub fn save(&self, path: &Path) -> Result<(), Localized> {
        let text =
            serde_json::to_string_pretty(self).map_err(|e| Localized::verbatim(e.to_string()))?;
        let tmp = path.with_extension("json.part");
        std::fs::write(&tmp, text).map_err(|e| write_failed(&tmp, &e))?;
        std::fs::rename(&tmp, path).map_err(|e| write_failed(path, &e))
    }

    /// Reads a project; says plainly what is wrong with a file that is not one.
    pub fn open(path: &Path) -> Result<Project, Localized> {
        let shown = || path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| {
            loc!(
                "cli-project-read-failed",
                path = shown(),
                error = e.to_string(),
            )
        })?;
        Project::parse(&bytes, &shown())
    }

    /// Reads a project from a file's bytes; `shown` names the file in messages.
    pub fn parse(bytes: &[u8], shown: &str) -> Result<Project, Localized> {
        let project: Project = serde_json::from_slice(bytes).map_err(|e| {
            loc!(
                "cli-project-not-a-project-because",
                path = shown,
                error = e.to_string(),
            )
        })?;
        if project.format != FORMAT {
            return Err(loc!("cli-project-not-a-project", path = shown));
        }
        if project.version > VERSION {
            return Err(loc!(
                "cli-project-too-new",
                path = shown,
                version = project.version,
            ));
        }
        Ok(project)
    }

    /// Indexes of local references whose file is not where the project says.
    pub fn missing_files(&self) -> Vec<usize> {
        self.spec
            .references
            .iter()
            .enumerate()
            .filter(|(_, r)| matches!(&r.source, RefSource::Local(p) if !p.is_file()))
            .map(|(i, _)| i)
            .collect()
    }
}

/// Why `path` could not be written.
fn write_failed(path: &Path, e: &std::io::Error) -> Localized {
    loc!(
        "cli-project-write-failed",
        path = path.display().to_string(),
        error = e.to_string(),
    )
}

/// Whether `path` names a project file, by its name as file managers match it
/// (`*.r2v.json`, in any case).
pub fn is_project_path(path: &Path) -> bool {
    path.file_name().is_some_and(|name| {
        let name = name.to_string_lossy().to_lowercase();
        name.len() > EXTENSION.len() + 1 && name.ends_with(&format!(".{EXTENSION}"))
    })
}

/// `path` with the project extension, unless it has it already.
pub fn with_extension(path: PathBuf) -> PathBuf {
    if path.to_string_lossy().ends_with(EXTENSION) {
        path
    } else {
        let mut name = path.file_name().unwrap_or_default().to_os_string();
        name.push(".");
        name.push(EXTENSION);
        path.with_file_name(name)
    }
}

/// Looks for each missing file by name in `folder` (a relinked folder); returns
/// the references found as (index, new path).
pub fn find_in_folder(
    project: &Project,
    missing: &[usize],
    folder: &Path,
) -> Vec<(usize, PathBuf)> {
    missing
        .iter()
        .filter_map(|&i| match &project.spec.references.get(i)?.source {
            RefSource::Local(old) => {
                let candidate = folder.join(old.file_name()?);
                candidate.is_file().then_some((i, candidate))
            }
            RefSource::Url(_) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Model, Reference, Seed};

    fn spec(dir: &Path) -> GenerationSpec {
        let image = dir.join("hero.png");
        std::fs::write(&image, b"png").unwrap();
        GenerationSpec {
            model: Model::V56,
            references: vec![
                Reference {
                    name: "英雄".into(),
                    source: RefSource::Local(image),
                },
                Reference {
                    name: "cafe".into(),
                    source: RefSource::Url("https://example.com/c.png".into()),
                },
            ],
            prompt: "@英雄 走进@cafe".into(),
            duration: 8,
            seed: Seed::Fixed(7),
            ..GenerationSpec::default()
        }
    }

    #[test]
    fn save_then_open_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = with_extension(dir.path().join("我的项目"));
        assert!(path.to_string_lossy().ends_with("我的项目.r2v.json"));
        let project = Project::new(spec(dir.path()));
        project.save(&path).unwrap();
        assert_eq!(Project::open(&path).unwrap(), project);
        assert!(project.missing_files().is_empty());
    }

    #[test]
    fn a_moved_file_is_reported_and_found_again_in_its_new_folder() {
        let dir = tempfile::tempdir().unwrap();
        let project = Project::new(spec(dir.path()));
        let moved = dir.path().join("moved");
        std::fs::create_dir(&moved).unwrap();
        std::fs::rename(dir.path().join("hero.png"), moved.join("hero.png")).unwrap();
        let missing = project.missing_files();
        assert_eq!(missing, vec![0]);
        assert_eq!(
            find_in_folder(&project, &missing, &moved),
            vec![(0, moved.join("hero.png"))]
        );
    }

    #[test]
    fn project_files_are_known_by_their_double_extension_in_any_case() {
        for name in ["a.r2v.json", "/home/me/海报.R2V.JSON", "x y.r2v.Json"] {
            assert!(is_project_path(Path::new(name)), "{name}");
        }
        for name in ["a.json", "a.r2v", "r2v.json", ".r2v.json", "ar2v.json"] {
            assert!(!is_project_path(Path::new(name)), "{name}");
        }
    }

    #[test]
    fn other_files_are_refused_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.r2v.json");
        std::fs::write(&path, "{\"hello\": 1}").unwrap();
        assert!(
            Project::open(&path)
                .unwrap_err()
                .en
                .contains("not an R2V Studio project")
        );
        let mut newer = Project::new(GenerationSpec::default());
        newer.version = 99;
        newer.save(&path).unwrap();
        assert!(Project::open(&path).unwrap_err().en.contains("newer"));
    }
}
