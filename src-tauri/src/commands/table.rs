//! The macro behind the command table in [`super`]: one list of commands
//! that feeds `tauri::generate_handler!`, the generated `Commands` map of
//! the UI, and a compile-time check of both against the commands' own
//! signatures.

/// Declares the command table. Each entry is
/// `app|pure module::name(arg: Type [as TsType], …) -> Result;` where `app`
/// commands take `State<AppState>` first and return `CommandResult<Result>`.
///
/// It defines `handler()` (for `Builder::invoke_handler`), `signatures()`
/// (for [`crate::bindings`]) and, for each command, a wrapper with the
/// declared argument and result types that calls the real command: a table
/// that disagrees with a command's signature does not compile.
macro_rules! command_table {
    ($($kind:ident $module:ident :: $name:ident ($($arg:ident : $ty:ty $(as $ts:ty)?),* $(,)?) -> $res:ty;)*) => {
        /// Tauri's handler for every command of the table.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke<tauri::Wry>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($module::$name),*]
        }

        /// Every command's name, arguments and result, in the table's order.
        pub fn signatures() -> Vec<$crate::bindings::CommandSig> {
            vec![$($crate::bindings::CommandSig {
                name: stringify!($name),
                args: vec![$($crate::bindings::ArgSig {
                    name: stringify!($arg),
                    ty: $crate::bindings::TypeRef::of::<ts_type!($ty $(, $ts)?)>(),
                }),*],
                result: $crate::bindings::TypeRef::of::<$res>(),
            }),*]
        }

        /// The table, checked against the commands by the compiler.
        #[allow(dead_code, unused_imports)]
        mod signature_check {
            use super::*;
            $(check_signature!($kind $module::$name($($arg: $ty),*) -> $res);)*
        }
    };
}

/// The TypeScript-side type of an argument: its own, or the one after `as`.
macro_rules! ts_type {
    ($ty:ty) => {
        $ty
    };
    ($ty:ty, $ts:ty) => {
        $ts
    };
}

/// A wrapper with the table's types around one command.
macro_rules! check_signature {
    (app $module:ident :: $name:ident ($($arg:ident : $ty:ty),*) -> $res:ty) => {
        async fn $name(
            state: tauri::State<'_, $crate::state::AppState>,
            $($arg: $ty),*
        ) -> $crate::error::CommandResult<$res> {
            super::$module::$name(state, $($arg),*).await
        }
    };
    (pure $module:ident :: $name:ident ($($arg:ident : $ty:ty),*) -> $res:ty) => {
        async fn $name($($arg: $ty),*) -> $crate::error::CommandResult<$res> {
            super::$module::$name($($arg),*).await
        }
    };
}
