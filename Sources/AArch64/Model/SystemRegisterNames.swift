// System register names for MRS/MSR, generated from binutils 2.40 objdump: every encoding
// op0 = 2…3 (2^15 words) was disassembled as MRS and the named ones kept (names and encodings are
// the Arm ARM's; 1013 registers). objdump prints the same name for MRS and MSR except DBGDTRRX_EL0
// (read) / DBGDTRTX_EL0 (write), handled in `SystemRegister.name(forWrite:)`.
// Regenerate with scripts/a64-sysregs.

extension SystemRegister {
  /// `name=hex-encoding` pairs separated by spaces.
  static let table: String = """
    osdtrrx_el1=8002 dbgbvr0_el1=8004 dbgbcr0_el1=8005 dbgwvr0_el1=8006 dbgwcr0_el1=8007
    dbgbvr1_el1=800c dbgbcr1_el1=800d dbgwvr1_el1=800e dbgwcr1_el1=800f mdccint_el1=8010
    mdscr_el1=8012 dbgbvr2_el1=8014 dbgbcr2_el1=8015 dbgwvr2_el1=8016 dbgwcr2_el1=8017
    osdtrtx_el1=801a dbgbvr3_el1=801c dbgbcr3_el1=801d dbgwvr3_el1=801e dbgwcr3_el1=801f
    dbgbvr4_el1=8024 dbgbcr4_el1=8025 dbgwvr4_el1=8026 dbgwcr4_el1=8027 dbgbvr5_el1=802c
    dbgbcr5_el1=802d dbgwvr5_el1=802e dbgwcr5_el1=802f oseccr_el1=8032 dbgbvr6_el1=8034
    dbgbcr6_el1=8035 dbgwvr6_el1=8036 dbgwcr6_el1=8037 dbgbvr7_el1=803c dbgbcr7_el1=803d
    dbgwvr7_el1=803e dbgwcr7_el1=803f dbgbvr8_el1=8044 dbgbcr8_el1=8045 dbgwvr8_el1=8046
    dbgwcr8_el1=8047 dbgbvr9_el1=804c dbgbcr9_el1=804d dbgwvr9_el1=804e dbgwcr9_el1=804f
    dbgbvr10_el1=8054 dbgbcr10_el1=8055 dbgwvr10_el1=8056 dbgwcr10_el1=8057 dbgbvr11_el1=805c
    dbgbcr11_el1=805d dbgwvr11_el1=805e dbgwcr11_el1=805f dbgbvr12_el1=8064 dbgbcr12_el1=8065
    dbgwvr12_el1=8066 dbgwcr12_el1=8067 dbgbvr13_el1=806c dbgbcr13_el1=806d dbgwvr13_el1=806e
    dbgwcr13_el1=806f dbgbvr14_el1=8074 dbgbcr14_el1=8075 dbgwvr14_el1=8076 dbgwcr14_el1=8077
    dbgbvr15_el1=807c dbgbcr15_el1=807d dbgwvr15_el1=807e dbgwcr15_el1=807f mdrar_el1=8080
    oslar_el1=8084 oslsr_el1=808c osdlr_el1=809c dbgprcr_el1=80a4 dbgclaimset_el1=83c6
    dbgclaimclr_el1=83ce dbgauthstatus_el1=83f6 csrcr_el1=8400 csrptr_el1=8401 csrptridx_el1=8403
    trctraceidr=8801 trcvictlr=8802 trcseqevr0=8804 trccntrldvr0=8805 trcidr8=8806 trcimspec0=8807
    trcprgctlr=8808 trcqctlr=8809 trcviiectlr=880a trcseqevr1=880c trccntrldvr1=880d trcidr9=880e
    trcimspec1=880f trcprocselr=8810 trcvissctlr=8812 trcseqevr2=8814 trccntrldvr2=8815
    trcidr10=8816 trcimspec2=8817 trcstatr=8818 trcvipcssctlr=881a trccntrldvr3=881d trcidr11=881e
    trcimspec3=881f trcconfigr=8820 trccntctlr0=8825 trcidr12=8826 trcimspec4=8827
    trccntctlr1=882d trcidr13=882e trcimspec5=882f trcauxctlr=8830 trcseqrstevr=8834
    trccntctlr2=8835 trcimspec6=8837 trcseqstr=883c trccntctlr3=883d trcimspec7=883f
    trceventctl0r=8840 trcvdctlr=8842 trcextinselr0=8844 trccntvr0=8845 trcidr0=8847
    trceventctl1r=8848 trcvdsacctlr=884a trcextinselr1=884c trccntvr1=884d trcidr1=884f
    trcrsr=8850 trcvdarcctlr=8852 trcextinselr2=8854 trccntvr2=8855 trcidr2=8857 trcstallctlr=8858
    trcextinselr3=885c trccntvr3=885d trcidr3=885f trctsctlr=8860 trcidr4=8867 trcsyncpr=8868
    trcidr5=886f trcccctlr=8870 trcidr6=8877 trcbbctlr=8878 trcidr7=887f trcrsctlr16=8881
    trcssccr0=8882 trcsspcicr0=8883 trcoslar=8884 trcrsctlr17=8889 trcssccr1=888a trcsspcicr1=888b
    trcoslsr=888c trcrsctlr2=8890 trcrsctlr18=8891 trcssccr2=8892 trcsspcicr2=8893 trcrsctlr3=8898
    trcrsctlr19=8899 trcssccr3=889a trcsspcicr3=889b trcrsctlr4=88a0 trcrsctlr20=88a1
    trcssccr4=88a2 trcsspcicr4=88a3 trcpdcr=88a4 trcrsctlr5=88a8 trcrsctlr21=88a9 trcssccr5=88aa
    trcsspcicr5=88ab trcpdsr=88ac trcrsctlr6=88b0 trcrsctlr22=88b1 trcssccr6=88b2 trcsspcicr6=88b3
    trcrsctlr7=88b8 trcrsctlr23=88b9 trcssccr7=88ba trcsspcicr7=88bb trcrsctlr8=88c0
    trcrsctlr24=88c1 trcsscsr0=88c2 trcrsctlr9=88c8 trcrsctlr25=88c9 trcsscsr1=88ca
    trcrsctlr10=88d0 trcrsctlr26=88d1 trcsscsr2=88d2 trcrsctlr11=88d8 trcrsctlr27=88d9
    trcsscsr3=88da trcrsctlr12=88e0 trcrsctlr28=88e1 trcsscsr4=88e2 trcrsctlr13=88e8
    trcrsctlr29=88e9 trcsscsr5=88ea trcrsctlr14=88f0 trcrsctlr30=88f1 trcsscsr6=88f2
    trcrsctlr15=88f8 trcrsctlr31=88f9 trcsscsr7=88fa trcacvr0=8900 trcacvr8=8901 trcacatr0=8902
    trcacatr8=8903 trcdvcvr0=8904 trcdvcvr4=8905 trcdvcmr0=8906 trcdvcmr4=8907 trcacvr1=8910
    trcacvr9=8911 trcacatr1=8912 trcacatr9=8913 trcacvr2=8920 trcacvr10=8921 trcacatr2=8922
    trcacatr10=8923 trcdvcvr1=8924 trcdvcvr5=8925 trcdvcmr1=8926 trcdvcmr5=8927 trcacvr3=8930
    trcacvr11=8931 trcacatr3=8932 trcacatr11=8933 trcacvr4=8940 trcacvr12=8941 trcacatr4=8942
    trcacatr12=8943 trcdvcvr2=8944 trcdvcvr6=8945 trcdvcmr2=8946 trcdvcmr6=8947 trcacvr5=8950
    trcacvr13=8951 trcacatr5=8952 trcacatr13=8953 trcacvr6=8960 trcacvr14=8961 trcacatr6=8962
    trcacatr14=8963 trcdvcvr3=8964 trcdvcvr7=8965 trcdvcmr3=8966 trcdvcmr7=8967 trcacvr7=8970
    trcacvr15=8971 trcacatr7=8972 trcacatr15=8973 trccidcvr0=8980 trcvmidcvr0=8981
    trccidcctlr0=8982 trccidcctlr1=898a trccidcvr1=8990 trcvmidcvr1=8991 trcvmidcctlr0=8992
    trcvmidcctlr1=899a trccidcvr2=89a0 trcvmidcvr2=89a1 trccidcvr3=89b0 trcvmidcvr3=89b1
    trccidcvr4=89c0 trcvmidcvr4=89c1 trccidcvr5=89d0 trcvmidcvr5=89d1 trccidcvr6=89e0
    trcvmidcvr6=89e1 trccidcvr7=89f0 trcvmidcvr7=89f1 trcitctrl=8b84 trcdevid=8b97 trcdevtype=8b9f
    trcpidr4=8ba7 trcpidr5=8baf trcpidr6=8bb7 trcpidr7=8bbf trcclaimset=8bc6 trcpidr0=8bc7
    trcclaimclr=8bce trcpidr1=8bcf trcdevaff0=8bd6 trcpidr2=8bd7 trcdevaff1=8bde trcpidr3=8bdf
    trclar=8be6 trccidr0=8be7 trclsr=8bee trccidr1=8bef trcauthstatus=8bf6 trccidr2=8bf7
    trcdevarch=8bfe trccidr3=8bff brbinf0_el1=8c00 brbsrc0_el1=8c01 brbtgt0_el1=8c02
    brbinf16_el1=8c04 brbsrc16_el1=8c05 brbtgt16_el1=8c06 brbinf1_el1=8c08 brbsrc1_el1=8c09
    brbtgt1_el1=8c0a brbinf17_el1=8c0c brbsrc17_el1=8c0d brbtgt17_el1=8c0e brbinf2_el1=8c10
    brbsrc2_el1=8c11 brbtgt2_el1=8c12 brbinf18_el1=8c14 brbsrc18_el1=8c15 brbtgt18_el1=8c16
    brbinf3_el1=8c18 brbsrc3_el1=8c19 brbtgt3_el1=8c1a brbinf19_el1=8c1c brbsrc19_el1=8c1d
    brbtgt19_el1=8c1e brbinf4_el1=8c20 brbsrc4_el1=8c21 brbtgt4_el1=8c22 brbinf20_el1=8c24
    brbsrc20_el1=8c25 brbtgt20_el1=8c26 brbinf5_el1=8c28 brbsrc5_el1=8c29 brbtgt5_el1=8c2a
    brbinf21_el1=8c2c brbsrc21_el1=8c2d brbtgt21_el1=8c2e brbinf6_el1=8c30 brbsrc6_el1=8c31
    brbtgt6_el1=8c32 brbinf22_el1=8c34 brbsrc22_el1=8c35 brbtgt22_el1=8c36 brbinf7_el1=8c38
    brbsrc7_el1=8c39 brbtgt7_el1=8c3a brbinf23_el1=8c3c brbsrc23_el1=8c3d brbtgt23_el1=8c3e
    brbinf8_el1=8c40 brbsrc8_el1=8c41 brbtgt8_el1=8c42 brbinf24_el1=8c44 brbsrc24_el1=8c45
    brbtgt24_el1=8c46 brbinf9_el1=8c48 brbsrc9_el1=8c49 brbtgt9_el1=8c4a brbinf25_el1=8c4c
    brbsrc25_el1=8c4d brbtgt25_el1=8c4e brbinf10_el1=8c50 brbsrc10_el1=8c51 brbtgt10_el1=8c52
    brbinf26_el1=8c54 brbsrc26_el1=8c55 brbtgt26_el1=8c56 brbinf11_el1=8c58 brbsrc11_el1=8c59
    brbtgt11_el1=8c5a brbinf27_el1=8c5c brbsrc27_el1=8c5d brbtgt27_el1=8c5e brbinf12_el1=8c60
    brbsrc12_el1=8c61 brbtgt12_el1=8c62 brbinf28_el1=8c64 brbsrc28_el1=8c65 brbtgt28_el1=8c66
    brbinf13_el1=8c68 brbsrc13_el1=8c69 brbtgt13_el1=8c6a brbinf29_el1=8c6c brbsrc29_el1=8c6d
    brbtgt29_el1=8c6e brbinf14_el1=8c70 brbsrc14_el1=8c71 brbtgt14_el1=8c72 brbinf30_el1=8c74
    brbsrc30_el1=8c75 brbtgt30_el1=8c76 brbinf15_el1=8c78 brbsrc15_el1=8c79 brbtgt15_el1=8c7a
    brbinf31_el1=8c7c brbsrc31_el1=8c7d brbtgt31_el1=8c7e brbcr_el1=8c80 brbfcr_el1=8c81
    brbts_el1=8c82 brbinfinj_el1=8c88 brbsrcinj_el1=8c89 brbtgtinj_el1=8c8a brbidr0_el1=8c90
    teecr32_el1=9000 teehbr32_el1=9080 mdccsr_el0=9808 dbgdtr_el0=9820 dbgdtrrx_el0=9828
    csrcr_el0=9c00 csrptr_el0=9c01 csridr_el0=9c02 csrptridx_el0=9c03 dbgvcr32_el2=a038
    csrcr_el2=a400 csrptr_el2=a401 csrptridx_el2=a403 brbcr_el2=a480 csrcr_el12=ac00
    csrptr_el12=ac01 brbcr_el12=ac80 midr_el1=c000 mpuir_el1=c004 mpidr_el1=c005 revidr_el1=c006
    id_pfr0_el1=c008 id_pfr1_el1=c009 id_dfr0_el1=c00a id_afr0_el1=c00b id_mmfr0_el1=c00c
    id_mmfr1_el1=c00d id_mmfr2_el1=c00e id_mmfr3_el1=c00f id_isar0_el1=c010 id_isar1_el1=c011
    id_isar2_el1=c012 id_isar3_el1=c013 id_isar4_el1=c014 id_isar5_el1=c015 id_mmfr4_el1=c016
    id_isar6_el1=c017 mvfr0_el1=c018 mvfr1_el1=c019 mvfr2_el1=c01a id_pfr2_el1=c01c
    id_dfr1_el1=c01d id_mmfr5_el1=c01e id_aa64pfr0_el1=c020 id_aa64pfr1_el1=c021
    id_aa64zfr0_el1=c024 id_aa64smfr0_el1=c025 id_aa64dfr0_el1=c028 id_aa64dfr1_el1=c029
    id_aa64afr0_el1=c02c id_aa64afr1_el1=c02d id_aa64isar0_el1=c030 id_aa64isar1_el1=c031
    id_aa64isar2_el1=c032 id_aa64mmfr0_el1=c038 id_aa64mmfr1_el1=c039 id_aa64mmfr2_el1=c03a
    sctlr_el1=c080 actlr_el1=c081 cpacr_el1=c082 rgsr_el1=c085 gcr_el1=c086 zcr_el1=c090
    trfcr_el1=c091 smpri_el1=c094 smcr_el1=c096 ttbr0_el1=c100 ttbr1_el1=c101 tcr_el1=c102
    apiakeylo_el1=c108 apiakeyhi_el1=c109 apibkeylo_el1=c10a apibkeyhi_el1=c10b apdakeylo_el1=c110
    apdakeyhi_el1=c111 apdbkeylo_el1=c112 apdbkeyhi_el1=c113 apgakeylo_el1=c118 apgakeyhi_el1=c119
    spsr_el1=c200 elr_el1=c201 sp_el0=c208 spsel=c210 currentel=c212 pan=c213 uao=c214 allint=c218
    icc_pmr_el1=c230 afsr0_el1=c288 afsr1_el1=c289 esr_el1=c290 erridr_el1=c298 errselr_el1=c299
    erxfr_el1=c2a0 erxctlr_el1=c2a1 erxstatus_el1=c2a2 erxaddr_el1=c2a3 erxpfgf_el1=c2a4
    erxpfgctl_el1=c2a5 erxpfgcdn_el1=c2a6 erxmisc0_el1=c2a8 erxmisc1_el1=c2a9 erxmisc2_el1=c2aa
    erxmisc3_el1=c2ab tfsr_el1=c2b0 tfsre0_el1=c2b1 far_el1=c300 prenr_el1=c309 prselr_el1=c311
    prbar_el1=c340 prlar_el1=c341 prbar1_el1=c344 prlar1_el1=c345 prbar2_el1=c348 prlar2_el1=c349
    prbar3_el1=c34c prlar3_el1=c34d prbar4_el1=c350 prlar4_el1=c351 prbar5_el1=c354
    prlar5_el1=c355 prbar6_el1=c358 prlar6_el1=c359 prbar7_el1=c35c prlar7_el1=c35d
    prbar8_el1=c360 prlar8_el1=c361 prbar9_el1=c364 prlar9_el1=c365 prbar10_el1=c368
    prlar10_el1=c369 prbar11_el1=c36c prlar11_el1=c36d prbar12_el1=c370 prlar12_el1=c371
    prbar13_el1=c374 prlar13_el1=c375 prbar14_el1=c378 prlar14_el1=c379 prbar15_el1=c37c
    prlar15_el1=c37d par_el1=c3a0 pmscr_el1=c4c8 pmsnevfr_el1=c4c9 pmsicr_el1=c4ca pmsirr_el1=c4cb
    pmsfcr_el1=c4cc pmsevfr_el1=c4cd pmslatfr_el1=c4ce pmsidr_el1=c4cf pmblimitr_el1=c4d0
    pmbptr_el1=c4d1 pmbsr_el1=c4d3 pmbidr_el1=c4d7 trblimitr_el1=c4d8 trbptr_el1=c4d9
    trbbaser_el1=c4da trbsr_el1=c4db trbmar_el1=c4dc trbtrg_el1=c4de trbidr_el1=c4df
    pmintenset_el1=c4f1 pmintenclr_el1=c4f2 pmmir_el1=c4f6 mair_el1=c510 amair_el1=c518
    lorsa_el1=c520 lorea_el1=c521 lorn_el1=c522 lorc_el1=c523 mpamidr_el1=c524 lorid_el1=c527
    mpam1_el1=c528 mpam0_el1=c529 mpamsm_el1=c52b vbar_el1=c600 rvbar_el1=c601 rmr_el1=c602
    isr_el1=c608 disr_el1=c609 icc_iar0_el1=c640 icc_eoir0_el1=c641 icc_hppir0_el1=c642
    icc_bpr0_el1=c643 icc_ap0r0_el1=c644 icc_ap0r1_el1=c645 icc_ap0r2_el1=c646 icc_ap0r3_el1=c647
    icc_ap1r0_el1=c648 icc_ap1r1_el1=c649 icc_ap1r2_el1=c64a icc_ap1r3_el1=c64b
    icc_nmiar1_el1=c64d icc_dir_el1=c659 icc_rpr_el1=c65b icc_sgi1r_el1=c65d icc_asgi1r_el1=c65e
    icc_sgi0r_el1=c65f icc_iar1_el1=c660 icc_eoir1_el1=c661 icc_hppir1_el1=c662 icc_bpr1_el1=c663
    icc_ctlr_el1=c664 icc_sre_el1=c665 icc_igrpen0_el1=c666 icc_igrpen1_el1=c667
    contextidr_el1=c681 tpidr_el1=c684 accdata_el1=c685 scxtnum_el1=c687 cntkctl_el1=c708
    ccsidr_el1=c800 clidr_el1=c801 ccsidr2_el1=c802 gmid_el1=c804 smidr_el1=c806 aidr_el1=c807
    csselr_el1=d000 ctr_el0=d801 dczid_el0=d807 rndr=d920 rndrrs=d921 nzcv=da10 daif=da11
    svcr=da12 dit=da15 ssbs=da16 tco=da17 fpcr=da20 fpsr=da21 dspsr_el0=da28 dlr_el0=da29
    pmcr_el0=dce0 pmcntenset_el0=dce1 pmcntenclr_el0=dce2 pmovsclr_el0=dce3 pmswinc_el0=dce4
    pmselr_el0=dce5 pmceid0_el0=dce6 pmceid1_el0=dce7 pmccntr_el0=dce8 pmxevtyper_el0=dce9
    pmxevcntr_el0=dcea pmuserenr_el0=dcf0 pmovsset_el0=dcf3 tpidr_el0=de82 tpidrro_el0=de83
    tpidr2_el0=de85 scxtnum_el0=de87 amcr_el0=de90 amcfgr_el0=de91 amcgcr_el0=de92
    amuserenr_el0=de93 amcntenclr0_el0=de94 amcntenset0_el0=de95 amcg1idr_el0=de96
    amcntenclr1_el0=de98 amcntenset1_el0=de99 amevcntr00_el0=dea0 amevcntr01_el0=dea1
    amevcntr02_el0=dea2 amevcntr03_el0=dea3 amevtyper00_el0=deb0 amevtyper01_el0=deb1
    amevtyper02_el0=deb2 amevtyper03_el0=deb3 amevcntr10_el0=dee0 amevcntr11_el0=dee1
    amevcntr12_el0=dee2 amevcntr13_el0=dee3 amevcntr14_el0=dee4 amevcntr15_el0=dee5
    amevcntr16_el0=dee6 amevcntr17_el0=dee7 amevcntr18_el0=dee8 amevcntr19_el0=dee9
    amevcntr110_el0=deea amevcntr111_el0=deeb amevcntr112_el0=deec amevcntr113_el0=deed
    amevcntr114_el0=deee amevcntr115_el0=deef amevtyper10_el0=def0 amevtyper11_el0=def1
    amevtyper12_el0=def2 amevtyper13_el0=def3 amevtyper14_el0=def4 amevtyper15_el0=def5
    amevtyper16_el0=def6 amevtyper17_el0=def7 amevtyper18_el0=def8 amevtyper19_el0=def9
    amevtyper110_el0=defa amevtyper111_el0=defb amevtyper112_el0=defc amevtyper113_el0=defd
    amevtyper114_el0=defe amevtyper115_el0=deff cntfrq_el0=df00 cntpct_el0=df01 cntvct_el0=df02
    cntpctss_el0=df05 cntvctss_el0=df06 cntp_tval_el0=df10 cntp_ctl_el0=df11 cntp_cval_el0=df12
    cntv_tval_el0=df18 cntv_ctl_el0=df19 cntv_cval_el0=df1a pmevcntr0_el0=df40 pmevcntr1_el0=df41
    pmevcntr2_el0=df42 pmevcntr3_el0=df43 pmevcntr4_el0=df44 pmevcntr5_el0=df45 pmevcntr6_el0=df46
    pmevcntr7_el0=df47 pmevcntr8_el0=df48 pmevcntr9_el0=df49 pmevcntr10_el0=df4a
    pmevcntr11_el0=df4b pmevcntr12_el0=df4c pmevcntr13_el0=df4d pmevcntr14_el0=df4e
    pmevcntr15_el0=df4f pmevcntr16_el0=df50 pmevcntr17_el0=df51 pmevcntr18_el0=df52
    pmevcntr19_el0=df53 pmevcntr20_el0=df54 pmevcntr21_el0=df55 pmevcntr22_el0=df56
    pmevcntr23_el0=df57 pmevcntr24_el0=df58 pmevcntr25_el0=df59 pmevcntr26_el0=df5a
    pmevcntr27_el0=df5b pmevcntr28_el0=df5c pmevcntr29_el0=df5d pmevcntr30_el0=df5e
    pmevtyper0_el0=df60 pmevtyper1_el0=df61 pmevtyper2_el0=df62 pmevtyper3_el0=df63
    pmevtyper4_el0=df64 pmevtyper5_el0=df65 pmevtyper6_el0=df66 pmevtyper7_el0=df67
    pmevtyper8_el0=df68 pmevtyper9_el0=df69 pmevtyper10_el0=df6a pmevtyper11_el0=df6b
    pmevtyper12_el0=df6c pmevtyper13_el0=df6d pmevtyper14_el0=df6e pmevtyper15_el0=df6f
    pmevtyper16_el0=df70 pmevtyper17_el0=df71 pmevtyper18_el0=df72 pmevtyper19_el0=df73
    pmevtyper20_el0=df74 pmevtyper21_el0=df75 pmevtyper22_el0=df76 pmevtyper23_el0=df77
    pmevtyper24_el0=df78 pmevtyper25_el0=df79 pmevtyper26_el0=df7a pmevtyper27_el0=df7b
    pmevtyper28_el0=df7c pmevtyper29_el0=df7d pmevtyper30_el0=df7e pmccfiltr_el0=df7f
    vpidr_el2=e000 mpuir_el2=e004 vmpidr_el2=e005 sctlr_el2=e080 actlr_el2=e081 hcr_el2=e088
    mdcr_el2=e089 cptr_el2=e08a hstr_el2=e08b hfgrtr_el2=e08c hfgwtr_el2=e08d hfgitr_el2=e08e
    hacr_el2=e08f zcr_el2=e090 trfcr_el2=e091 hcrx_el2=e092 smprimap_el2=e095 smcr_el2=e096
    sder32_el2=e099 ttbr0_el2=e100 ttbr1_el2=e101 tcr_el2=e102 vttbr_el2=e108 vtcr_el2=e10a
    vncr_el2=e110 vsttbr_el2=e130 vstcr_el2=e132 dacr32_el2=e180 hdfgrtr_el2=e18c hdfgwtr_el2=e18d
    hafgrtr_el2=e18e spsr_el2=e200 elr_el2=e201 sp_el1=e208 spsr_irq=e218 spsr_abt=e219
    spsr_und=e21a spsr_fiq=e21b ifsr32_el2=e281 afsr0_el2=e288 afsr1_el2=e289 esr_el2=e290
    vsesr_el2=e293 fpexc32_el2=e298 tfsr_el2=e2b0 far_el2=e300 hpfar_el2=e304 prenr_el2=e309
    prselr_el2=e311 prbar_el2=e340 prlar_el2=e341 prbar1_el2=e344 prlar1_el2=e345 prbar2_el2=e348
    prlar2_el2=e349 prbar3_el2=e34c prlar3_el2=e34d prbar4_el2=e350 prlar4_el2=e351
    prbar5_el2=e354 prlar5_el2=e355 prbar6_el2=e358 prlar6_el2=e359 prbar7_el2=e35c
    prlar7_el2=e35d prbar8_el2=e360 prlar8_el2=e361 prbar9_el2=e364 prlar9_el2=e365
    prbar10_el2=e368 prlar10_el2=e369 prbar11_el2=e36c prlar11_el2=e36d prbar12_el2=e370
    prlar12_el2=e371 prbar13_el2=e374 prlar13_el2=e375 prbar14_el2=e378 prlar14_el2=e379
    prbar15_el2=e37c prlar15_el2=e37d pmscr_el2=e4c8 mair_el2=e510 amair_el2=e518 mpamhcr_el2=e520
    mpamvpmv_el2=e521 mpam2_el2=e528 mpamvpm0_el2=e530 mpamvpm1_el2=e531 mpamvpm2_el2=e532
    mpamvpm3_el2=e533 mpamvpm4_el2=e534 mpamvpm5_el2=e535 mpamvpm6_el2=e536 mpamvpm7_el2=e537
    vbar_el2=e600 rvbar_el2=e601 rmr_el2=e602 vdisr_el2=e609 ich_ap0r0_el2=e640 ich_ap0r1_el2=e641
    ich_ap0r2_el2=e642 ich_ap0r3_el2=e643 ich_ap1r0_el2=e648 ich_ap1r1_el2=e649 ich_ap1r2_el2=e64a
    ich_ap1r3_el2=e64b icc_sre_el2=e64d ich_hcr_el2=e658 ich_vtr_el2=e659 ich_misr_el2=e65a
    ich_eisr_el2=e65b ich_elrsr_el2=e65d ich_vmcr_el2=e65f ich_lr0_el2=e660 ich_lr1_el2=e661
    ich_lr2_el2=e662 ich_lr3_el2=e663 ich_lr4_el2=e664 ich_lr5_el2=e665 ich_lr6_el2=e666
    ich_lr7_el2=e667 ich_lr8_el2=e668 ich_lr9_el2=e669 ich_lr10_el2=e66a ich_lr11_el2=e66b
    ich_lr12_el2=e66c ich_lr13_el2=e66d ich_lr14_el2=e66e ich_lr15_el2=e66f contextidr_el2=e681
    tpidr_el2=e682 scxtnum_el2=e687 amevcntvoff00_el2=e6c0 amevcntvoff01_el2=e6c1
    amevcntvoff02_el2=e6c2 amevcntvoff03_el2=e6c3 amevcntvoff04_el2=e6c4 amevcntvoff05_el2=e6c5
    amevcntvoff06_el2=e6c6 amevcntvoff07_el2=e6c7 amevcntvoff08_el2=e6c8 amevcntvoff09_el2=e6c9
    amevcntvoff010_el2=e6ca amevcntvoff011_el2=e6cb amevcntvoff012_el2=e6cc
    amevcntvoff013_el2=e6cd amevcntvoff014_el2=e6ce amevcntvoff015_el2=e6cf amevcntvoff10_el2=e6d0
    amevcntvoff11_el2=e6d1 amevcntvoff12_el2=e6d2 amevcntvoff13_el2=e6d3 amevcntvoff14_el2=e6d4
    amevcntvoff15_el2=e6d5 amevcntvoff16_el2=e6d6 amevcntvoff17_el2=e6d7 amevcntvoff18_el2=e6d8
    amevcntvoff19_el2=e6d9 amevcntvoff110_el2=e6da amevcntvoff111_el2=e6db amevcntvoff112_el2=e6dc
    amevcntvoff113_el2=e6dd amevcntvoff114_el2=e6de amevcntvoff115_el2=e6df cntvoff_el2=e703
    cntpoff_el2=e706 cnthctl_el2=e708 cnthp_tval_el2=e710 cnthp_ctl_el2=e711 cnthp_cval_el2=e712
    cnthv_tval_el2=e718 cnthv_ctl_el2=e719 cnthv_cval_el2=e71a cnthvs_tval_el2=e720
    cnthvs_ctl_el2=e721 cnthvs_cval_el2=e722 cnthps_tval_el2=e728 cnthps_ctl_el2=e729
    cnthps_cval_el2=e72a sctlr_el12=e880 cpacr_el12=e882 zcr_el12=e890 trfcr_el12=e891
    smcr_el12=e896 ttbr0_el12=e900 ttbr1_el12=e901 tcr_el12=e902 spsr_el12=ea00 elr_el12=ea01
    afsr0_el12=ea88 afsr1_el12=ea89 esr_el12=ea90 tfsr_el12=eab0 far_el12=eb00 pmscr_el12=ecc8
    mair_el12=ed10 amair_el12=ed18 mpam1_el12=ed28 vbar_el12=ee00 contextidr_el12=ee81
    scxtnum_el12=ee87 cntkctl_el12=ef08 cntp_tval_el02=ef10 cntp_ctl_el02=ef11 cntp_cval_el02=ef12
    cntv_tval_el02=ef18 cntv_ctl_el02=ef19 cntv_cval_el02=ef1a sctlr_el3=f080 actlr_el3=f081
    scr_el3=f088 sder32_el3=f089 cptr_el3=f08a zcr_el3=f090 smcr_el3=f096 mdcr_el3=f099
    ttbr0_el3=f100 tcr_el3=f102 gptbr_el3=f10c gpccr_el3=f10e spsr_el3=f200 elr_el3=f201
    sp_el2=f208 afsr0_el3=f288 afsr1_el3=f289 esr_el3=f290 tfsr_el3=f2b0 far_el3=f300
    mfar_el3=f305 mair_el3=f510 amair_el3=f518 mpam3_el3=f528 vbar_el3=f600 rvbar_el3=f601
    rmr_el3=f602 icc_ctlr_el3=f664 icc_sre_el3=f665 icc_igrpen1_el3=f667 tpidr_el3=f682
    scxtnum_el3=f687 cntps_tval_el1=ff10 cntps_ctl_el1=ff11 cntps_cval_el1=ff12
    """
}
