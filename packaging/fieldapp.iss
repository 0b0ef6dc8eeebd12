; Inno Setup 6 script for the Windows installer of fieldapp.
; Built by packaging\build_windows.ps1 after PyInstaller has made dist\fieldapp\:
;   ISCC.exe /DAppVersion=0.1.0 packaging\fieldapp.iss      -> dist\fieldapp-0.1.0-setup.exe
;
; Installs per user by default (officers rarely have admin rights; the user may choose "all users"),
; adds a Start-menu entry and a desktop shortcut, and an uninstaller that leaves the data folder
; (%LOCALAPPDATA%\fieldapp: the store, its backups and logs) alone unless the user ticks a box.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "fieldapp"
#define DataDir "{localappdata}\fieldapp"

[Setup]
AppId={{6E0B8D8C-3F5C-4C79-9E0E-5B8F1B7A4D21}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=fieldapp
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\dist
OutputBaseFilename={#AppName}-{#AppVersion}-setup
SetupIconFile=icons\fieldapp.ico
UninstallDisplayIcon={app}\fieldapp.exe
UninstallDisplayName={#AppName} {#AppVersion}
Compression=lzma2/ultra64
SolidCompression=yes
LZMAUseSeparateProcess=yes
WizardStyle=modern
CloseApplications=yes
RestartApplications=no

[Languages]
#if FileExists(AddBackslash(CompilerPath) + "Languages\Indonesian.isl")
Name: "id"; MessagesFile: "compiler:Languages\Indonesian.isl"
#elif FileExists(AddBackslash(SourcePath) + "windows\Indonesian.isl")
Name: "id"; MessagesFile: "windows\Indonesian.isl"
#endif
Name: "en"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
id.DesktopIcon=Buat pintasan di desktop
en.DesktopIcon=Create a desktop shortcut
id.Launch=Jalankan fieldapp
en.Launch=Start fieldapp
id.RemoveDataTitle=Hapus fieldapp
en.RemoveDataTitle=Uninstall fieldapp
id.RemoveDataText=Program fieldapp akan dihapus. Data Anda (peserta, cadangan, log) tetap tersimpan di:%n%1%nsehingga versi baru yang dipasang nanti dapat memakainya lagi.
en.RemoveDataText=The fieldapp program will be removed. Your data (participants, backups, logs) stays in:%n%1%nso that a newer version installed later can use it again.
id.RemoveDataBox=Hapus juga semua data di folder ini (tidak dapat dibatalkan; peserta yang belum disinkronkan akan hilang)
en.RemoveDataBox=Also delete all data in this folder (cannot be undone; participants not yet synced are lost)
id.RemoveDataConfirm=Yakin menghapus SEMUA data fieldapp di %1?%n%nPeserta yang belum disinkronkan ke server akan hilang selamanya.
en.RemoveDataConfirm=Really delete ALL fieldapp data in %1?%n%nParticipants not yet synced to the server are lost for good.
id.Continue=Lanjutkan
en.Continue=Continue
id.Cancel=Batal
en.Cancel=Cancel
id.CliIcon=fieldapp (baris perintah)
en.CliIcon=fieldapp (command line)

[Tasks]
Name: "desktopicon"; Description: "{cm:DesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
Source: "..\dist\fieldapp\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\fieldapp.exe"; WorkingDir: "{userdocs}"
Name: "{group}\{cm:CliIcon}"; Filename: "{cmd}"; Parameters: "/k ""{app}\fieldapp-cli.exe"" --help"; WorkingDir: "{userdocs}"; IconFilename: "{app}\fieldapp.exe"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\fieldapp.exe"; WorkingDir: "{userdocs}"; Tasks: desktopicon

[Run]
Filename: "{app}\fieldapp.exe"; Description: "{cm:Launch}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only the program folder; the data folder is handled in [Code] below, and only when the user asks.
Type: filesandordirs; Name: "{app}"

[Code]
var
  DeleteData: Boolean;

// The uninstaller's own small window: what stays, and an unticked box to delete the data as well.
// A silent uninstall (/SILENT, /VERYSILENT) never deletes data.
function InitializeUninstall(): Boolean;
var
  Form: TSetupForm;
  Text: TNewStaticText;
  Box: TNewCheckBox;
  OkButton, CancelButton: TNewButton;
  DataPath: String;
begin
  Result := True;
  DeleteData := False;
  if UninstallSilent then
    Exit;
  DataPath := ExpandConstant('{#DataDir}');
  if not DirExists(DataPath) then
    Exit;
  Form := CreateCustomForm(ScaleX(460), ScaleY(210), False, True);
  try
    Form.Caption := CustomMessage('RemoveDataTitle');
    Text := TNewStaticText.Create(Form);
    Text.Parent := Form;
    Text.Left := ScaleX(16);
    Text.Top := ScaleY(16);
    Text.Width := Form.ClientWidth - ScaleX(32);
    Text.WordWrap := True;
    Text.AutoSize := True;
    Text.Caption := FmtMessage(CustomMessage('RemoveDataText'), [DataPath]);
    Box := TNewCheckBox.Create(Form);
    Box.Parent := Form;
    Box.Left := ScaleX(16);
    Box.Top := Text.Top + Text.Height + ScaleY(16);
    Box.Width := Form.ClientWidth - ScaleX(32);
    Box.Height := ScaleY(36);
    Box.Caption := CustomMessage('RemoveDataBox');
    Box.Checked := False;
    OkButton := TNewButton.Create(Form);
    OkButton.Parent := Form;
    OkButton.Caption := CustomMessage('Continue');
    OkButton.Width := ScaleX(96);
    OkButton.Height := ScaleY(26);
    OkButton.Left := Form.ClientWidth - ScaleX(16 + 96 + 8 + 96);
    OkButton.Top := Form.ClientHeight - ScaleY(16 + 26);
    OkButton.ModalResult := mrOk;
    OkButton.Default := True;
    CancelButton := TNewButton.Create(Form);
    CancelButton.Parent := Form;
    CancelButton.Caption := CustomMessage('Cancel');
    CancelButton.Width := ScaleX(96);
    CancelButton.Height := ScaleY(26);
    CancelButton.Left := Form.ClientWidth - ScaleX(16 + 96);
    CancelButton.Top := OkButton.Top;
    CancelButton.ModalResult := mrCancel;
    CancelButton.Cancel := True;
    if Form.ShowModal() <> mrOk then
    begin
      Result := False;  // the user cancelled: uninstall nothing
      Exit;
    end;
    if Box.Checked then
      DeleteData := MsgBox(FmtMessage(CustomMessage('RemoveDataConfirm'), [DataPath]),
                           mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES;
  finally
    Form.Free();
  end;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and DeleteData then
    DelTree(ExpandConstant('{#DataDir}'), True, True, True);
end;
