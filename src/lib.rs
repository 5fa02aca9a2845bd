//! R2V Studio: reference images and a prompt in, a PixVerse video out.
//!
//! Layers, each using only those above it: [`core`] (pure domain), [`api`] (the
//! Model Studio wire protocol), [`sim`] (a simulator of the service), [`cli`].

pub mod api;
pub mod audio;
pub mod cli;
pub mod core;
pub mod engine;
pub mod project;
pub mod provenance;
pub mod settings;
pub mod sim;
pub mod ui;
pub mod video;
